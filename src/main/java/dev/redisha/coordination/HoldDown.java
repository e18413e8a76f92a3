package dev.redisha.coordination;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * DESIGN §4's hold-down: a node that lost the master role {@code maxFaults} times within {@code
 * windowMs} stops asking for it back (it does not flap) until the faults age out. One fault
 * episode (from a failure until the node is healthy again) counts once, however many decisions
 * it spans.
 */
public final class HoldDown {
  private final long windowMs;
  private final int maxFaults;
  /** When each counted episode began (monotonic ms), oldest first. */
  private final Deque<Long> faults = new ArrayDeque<>();
  private boolean inFaultEpisode;

  public HoldDown(long windowMs, int maxFaults) {
    this.windowMs = windowMs;
    this.maxFaults = maxFaults;
  }

  /** This node, as master, failed or lost the role: counted once per episode. */
  public void noteFault(long now) {
    if (!inFaultEpisode) {
      inFaultEpisode = true;
      faults.addLast(now);
    }
  }

  /** The node is healthy again: the next fault is a new episode. */
  public void episodeOver() {
    inFaultEpisode = false;
  }

  /** Forgets faults older than the window. */
  public void expire(long now) {
    while (!faults.isEmpty() && now - faults.peekFirst() > windowMs) {
      faults.removeFirst();
    }
  }

  public boolean active() {
    return faults.size() >= maxFaults;
  }
}
