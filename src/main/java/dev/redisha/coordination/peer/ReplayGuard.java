package dev.redisha.coordination.peer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Drops adverts that are not fresh and strictly newer than the last one accepted from the same
 * sender, so a captured packet cannot be played back to bring back an old state (an old master
 * claiming its role, say). Newer means a higher (bootId, seq) pair; fresh means the sender's clock
 * reading is within the window of this agent's clock.
 *
 * <p>Trade-offs, all from the sender's bootId being its start time in ms rather than a persisted
 * counter (which would need a disk write per boot and break when the state dir is lost):
 *
 * <ul>
 *   <li>A replay of an old boot's packets is rejected because that bootId is lower, however new
 *       its seq.
 *   <li>If the sender's clock steps back across its restart (below its previous start time), its
 *       new boot is taken for a replay until this agent restarts; the REPLAYED counter makes that
 *       visible. Peers already need clocks within the window of each other, so this is the same
 *       NTP requirement, not a new one.
 *   <li>The last (bootId, seq) per peer lives in memory only. After this agent restarts, a packet
 *       captured less than one window ago can be accepted once, but only until the sender's next
 *       real advert, which carries a higher seq; the window bounds how old such state can be.
 * </ul>
 *
 * <p>Memory is bounded by the configured peers: an unknown sender is rejected without being
 * remembered, so a flood of invented node ids cannot grow the table. Thread-safe.
 */
public final class ReplayGuard {
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

  private final Map<String, Last> lastByPeer = new HashMap<>();
  private final long windowMillis;
  private final LongSupplier clockMillis;

  /** With the default window and the system wall clock. */
  public ReplayGuard(Set<String> peerIds) {
    this(peerIds, DEFAULT_WINDOW, System::currentTimeMillis);
  }

  /**
   * @param peerIds the node ids adverts are accepted from
   * @param window largest accepted difference between the sender's sentAt and this clock
   * @param clockMillis this agent's wall clock in ms (the same kind of clock senders stamp with)
   */
  public ReplayGuard(Set<String> peerIds, Duration window, LongSupplier clockMillis) {
    if (window.isNegative()) {
      throw new IllegalArgumentException("replay window is negative: " + window);
    }
    for (String id : peerIds) {
      lastByPeer.put(id, new Last());
    }
    this.windowMillis = window.toMillis();
    this.clockMillis = clockMillis;
  }

  /**
   * Accepts the advert, and remembers it as its sender's newest, if it comes from a configured
   * peer, is fresh, and is newer than everything accepted from that peer before. A rejected advert
   * changes nothing.
   */
  public synchronized Verdict admit(Advert advert) {
    Last last = lastByPeer.get(advert.nodeId());
    if (last == null) {
      return Verdict.reject(RejectReason.UNKNOWN_PEER);
    }
    long now = clockMillis.getAsLong();
    // Compared as a range rather than |now - sentAt|: the subtraction overflows for a sentAt near
    // Long.MIN_VALUE and Math.abs would then let it through.
    long sentAt = advert.sentAtMillis();
    if (sentAt < now - windowMillis || sentAt > now + windowMillis) {
      return Verdict.reject(RejectReason.STALE);
    }
    if (last.seen && !isNewer(advert, last)) {
      return Verdict.reject(RejectReason.REPLAYED);
    }
    last.seen = true;
    last.bootId = advert.bootId();
    last.seq = advert.seq();
    return Verdict.accept(advert);
  }

  private static boolean isNewer(Advert a, Last last) {
    return a.bootId() > last.bootId || (a.bootId() == last.bootId && a.seq() > last.seq);
  }

  private static final class Last {
    boolean seen;
    long bootId;
    long seq;
  }
}
