package dev.redisha.coordination;

/**
 * The group's maintenance mode (DESIGN §6: no automatic failover while paused), as one agent last
 * set it. Every agent carries the newest one it knows in its adverts and keeps it on disk, so a
 * pause set on one agent reaches all of them and survives their restarts.
 *
 * @param paused whether automatic failover and failback are off
 * @param version grows with every change; the highest version wins, ties by node id
 * @param by the node whose agent took the operator's request
 * @param atMillis wall-clock time of the change (for people; no decision reads it)
 */
public record Maintenance(boolean paused, long version, String by, long atMillis) {
  public static final Maintenance NONE = new Maintenance(false, 0, "", 0);

  public Maintenance {
    by = by == null ? "" : by;
  }

  /** Whether this state replaces {@code other}: a later version, or the same one from a higher id. */
  public boolean newerThan(Maintenance other) {
    return version > other.version || (version == other.version && by.compareTo(other.by) > 0);
  }

  /** The next state after an operator's pause or resume taken by node {@code node}. */
  public Maintenance next(boolean pause, String node, long nowMillis) {
    return new Maintenance(pause, version + 1, node, nowMillis);
  }
}
