package dev.redisha.coordination.peer;

/**
 * One peer's wall clock minus ours, estimated from its adverts: each advert gives our receive
 * time minus its sentAt, which is the skew plus the network and scheduling delay, and a delay is
 * never negative, so the smallest value over the last {@link #SAMPLES} adverts is the estimate a
 * busy host's stalls cannot inflate. Used only to report; nothing is decided on it. Not
 * thread-safe (the receive thread owns it).
 */
final class ClockSkewEstimate {
  static final int SAMPLES = 16;
  /** Fewer samples than this could all carry one long stall. */
  static final int MIN_SAMPLES = 4;

  private final long[] samples = new long[SAMPLES];
  private int count;
  private int next;

  /** @param ourReceiveMillis our wall clock when the advert arrived */
  void add(long ourReceiveMillis, long theirSentAtMillis) {
    long diff;
    try {
      diff = Math.subtractExact(ourReceiveMillis, theirSentAtMillis);
    } catch (ArithmeticException e) {
      // An authentic but absurd sentAt (a sender's clock set to year 290 million).
      diff = theirSentAtMillis > ourReceiveMillis ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    samples[next] = diff;
    next = (next + 1) % SAMPLES;
    count = Math.min(count + 1, SAMPLES);
  }

  boolean known() {
    return count >= MIN_SAMPLES;
  }

  /** How far our clock is ahead of the peer's, in ms (negative: the peer's is ahead). */
  long oursMinusTheirsMillis() {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < count; i++) {
      min = Math.min(min, samples[i]);
    }
    return min;
  }
}
