package dev.redisha.coordination;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Whether the master persists (DESIGN rule 4: only while it is the last copy), decided from
 * evidence that is not a second stale and with hysteresis, so a healthy replica that keeps up
 * never makes the master fork a BGSAVE.
 *
 * <p>Redis' own view of a replica's offset ({@code slaveN:offset=} on the master) is its last
 * REPLCONF ACK, sent about once a second, so at 1 MiB/s it reads a replica that is milliseconds
 * behind as a megabyte behind. Instead the replica's lag is measured in time: the replica's own
 * offset (from its adverts, at most a probe and an advert interval old) is placed on this master's
 * recent offset history, which says how long ago the master was at that offset.
 *
 * <p>The master turns persistence on once no replica has kept up for {@link #onAfterMs}
 * (immediately when it has no history yet: at start it may be the last copy), and off once one
 * has kept up for {@link #offAfterMs}. Not thread-safe: the decision loop owns it.
 */
public final class MasterPersistencePolicy {
  /** How far behind in time a replica may be and still count as keeping up. */
  private final long maxLagMs;
  private final long onAfterMs;
  private final long offAfterMs;
  private final Deque<long[]> history = new ArrayDeque<>();
  private boolean persist = true;
  private long keepingUpSince = -1;
  private long fallenBehindSince = -1;

  public MasterPersistencePolicy(long maxLagMs, long onAfterMs, long offAfterMs) {
    this.maxLagMs = maxLagMs;
    this.onAfterMs = onAfterMs;
    this.offAfterMs = offAfterMs;
  }

  /** Records this master's offset as its latest probe saw it. */
  public void noteMasterOffset(long offset, long now) {
    long[] last = history.peekLast();
    if (last != null && last[1] == offset) {
      return; // only the first moment at each offset matters for "how long ago was it there"
    }
    history.addLast(new long[] {now, offset});
    while (history.size() > 2 && now - history.peekFirst()[0] > 10 * maxLagMs) {
      history.removeFirst();
    }
  }

  /**
   * How long ago this master was first at {@code replicaOffset} or beyond: 0 if the replica has all
   * of it, {@link Long#MAX_VALUE} if that is older than the history.
   */
  public long lagMs(long replicaOffset, long now) {
    long[] last = history.peekLast();
    if (last == null) {
      return Long.MAX_VALUE;
    }
    if (replicaOffset >= last[1]) {
      return 0;
    }
    // The oldest sample at or beyond the replica's offset: the master passed that offset no
    // later than then, so the replica's data is at most this old (to within one probe interval).
    long firstAtOrBeyond = -1;
    for (java.util.Iterator<long[]> it = history.descendingIterator(); it.hasNext(); ) {
      long[] s = it.next();
      if (s[1] < replicaOffset) {
        return now - firstAtOrBeyond;
      }
      firstAtOrBeyond = s[0];
    }
    // Every sample is at or beyond it: exact only if the oldest is that very offset.
    return history.peekFirst()[1] == replicaOffset ? now - firstAtOrBeyond : Long.MAX_VALUE;
  }

  /** Whether a replica at {@code replicaOffset} keeps up with this master now. */
  public boolean keepsUp(long replicaOffset, long now) {
    return lagMs(replicaOffset, now) <= maxLagMs;
  }

  /**
   * @param replicaKeepsUp a healthy, persisting replica of this epoch keeps up (see {@link
   *     #keepsUp})
   * @return whether the master should persist now
   */
  public boolean decide(boolean replicaKeepsUp, long now) {
    if (replicaKeepsUp) {
      fallenBehindSince = -1;
      if (keepingUpSince < 0) {
        keepingUpSince = now;
      }
      if (persist && now - keepingUpSince >= offAfterMs) {
        persist = false;
      }
    } else {
      keepingUpSince = -1;
      if (fallenBehindSince < 0) {
        fallenBehindSince = now;
      }
      if (!persist && now - fallenBehindSince >= onAfterMs) {
        persist = true;
      }
    }
    return persist;
  }

  /** A new term as master (takeover, handover, restart): it may be the last copy until shown otherwise. */
  public void reset() {
    persist = true;
    keepingUpSince = -1;
    fallenBehindSince = -1;
    history.clear();
  }

  public boolean persisting() {
    return persist;
  }
}
