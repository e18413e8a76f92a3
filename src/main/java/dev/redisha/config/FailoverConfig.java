package dev.redisha.config;

/**
 * Planned moves.
 *
 * @param switchoverTimeoutMs upper bound of the write pause during failback or switchover
 * @param maxCatchUpLagBytes a replica further behind than this is not "in sync"
 * @param switchoverRequestTimeoutMs how long an accepted operator switchover may wait for its
 *     target to be an in-sync replica before it expires (it never runs unprompted later)
 */
public record FailoverConfig(long switchoverTimeoutMs, long maxCatchUpLagBytes, long switchoverRequestTimeoutMs) {
  public static final long DEFAULT_SWITCHOVER_REQUEST_TIMEOUT_MS = 10_000;

  public FailoverConfig(long switchoverTimeoutMs, long maxCatchUpLagBytes) {
    this(switchoverTimeoutMs, maxCatchUpLagBytes, DEFAULT_SWITCHOVER_REQUEST_TIMEOUT_MS);
  }
}
