package dev.redisha.coordination.peer;

import dev.redisha.config.CoordinationConfig;
import java.time.Duration;

/**
 * The timings the transport judges peer links by, all derived from the advert interval so they
 * scale with the group's own timing.
 *
 * @param advertIntervalMillis how often peers send adverts
 * @param downAfterAdverts silence of this many intervals makes a peer "down"
 * @param skewThresholdMillis larger clock differences are reported
 */
public record PeerLinkRules(long advertIntervalMillis, int downAfterAdverts, long skewThresholdMillis) {
  /**
   * Clock differences above 2 s are reported. NTP keeps hosts within milliseconds, so 2 s is
   * plainly wrong, yet it is well above what a starved host adds to the smallest delay seen over
   * {@link ClockSkewEstimate#SAMPLES} adverts. Nothing depends on the clocks agreeing any more;
   * the report is there because event logs and hook times of two hosts are compared by people.
   */
  public static final long DEFAULT_SKEW_THRESHOLD_MILLIS = 2_000;

  /** Failing this many advert intervals in a row, with no success between, is a problem. */
  static final int FAILING_INTERVALS = 3;

  /** How many down times an agent that claimed a node id counts as alive. */
  static final int CLAIM_DOWN_TIMES = 3;

  public PeerLinkRules {
    if (advertIntervalMillis <= 0 || downAfterAdverts <= 0 || skewThresholdMillis <= 0) {
      throw new IllegalArgumentException("peer link rules must be positive");
    }
  }

  public static PeerLinkRules of(CoordinationConfig c) {
    return new PeerLinkRules(
        c.advertIntervalMs(), c.downAfterAdverts(), DEFAULT_SKEW_THRESHOLD_MILLIS);
  }

  /** A peer's datagrams failing for this long, with no good one between, is reported. */
  long failingAfterMillis() {
    return FAILING_INTERVALS * advertIntervalMillis;
  }

  /**
   * How long an address that sent adverts for a node id counts as a live claimant of it; also how
   * long a reported failure stays reported once its datagrams stop. A few down times, so that an
   * impostor's or a flapping link's gaps do not clear and re-raise a conflict every few adverts.
   */
  Duration claimWindow() {
    return Duration.ofMillis(CLAIM_DOWN_TIMES * advertIntervalMillis * downAfterAdverts);
  }
}
