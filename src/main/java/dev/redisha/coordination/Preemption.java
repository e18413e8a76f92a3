package dev.redisha.coordination;

import dev.redisha.redis.RedisInfo;

/**
 * The seed's failback (DESIGN §4): a replica with a higher priority than the master, in sync for
 * {@code delayMs}, asks the master to hand the role back ({@link #wantsMaster()}, carried in
 * its published status). Never while paused, held down, or just after an operator moved the role
 * ({@link #suppressUntil}).
 */
public final class Preemption {
  private final boolean enabled;
  private final int myPriority;
  private final long delayMs;
  private final long maxLagBytes;
  /** When this replica was last seen to become eligible, -1 while it is not. */
  private long inSyncSince = -1;
  private boolean wantsMaster;
  /** When it began asking, -1 while it does not. */
  private long wantsMasterSince = -1;
  private long suppressedUntil;

  public Preemption(boolean enabled, int myPriority, long delayMs, long maxLagBytes) {
    this.enabled = enabled;
    this.myPriority = myPriority;
    this.delayMs = delayMs;
    this.maxLagBytes = maxLagBytes;
  }

  /**
   * One decision as a replica of a master that serves.
   *
   * @param dataCurrent this node's Redis holds the current epoch's complete data
   */
  public void update(int masterPriority, long masterOffset, RedisInfo mine, boolean dataCurrent, boolean paused,
      boolean heldDown, long now) {
    boolean eligible = enabled
        && !paused
        && now >= suppressedUntil
        && !heldDown
        && myPriority > masterPriority
        && mine.masterLinkUp()
        && !mine.masterSyncInProgress()
        && dataCurrent
        && masterOffset - mine.replOffset() <= maxLagBytes;
    if (!eligible) {
      clear();
      return;
    }
    if (inSyncSince < 0) {
      inSyncSince = now;
    }
    boolean wants = now - inSyncSince >= delayMs;
    if (wants && !wantsMaster) {
      wantsMasterSince = now;
    }
    wantsMaster = wants;
  }

  /** Stops asking (the node is no longer an eligible replica, or the role moved). */
  public void clear() {
    inSyncSince = -1;
    wantsMaster = false;
    wantsMasterSince = -1;
  }

  /** No preemption before {@code until} (an operator chose the master; or 0: lift it). */
  public void suppressUntil(long until) {
    suppressedUntil = until;
  }

  public boolean wantsMaster() {
    return wantsMaster;
  }

  /** When this node began asking for the role, -1 if it does not. */
  public long wantsMasterSince() {
    return wantsMasterSince;
  }
}
