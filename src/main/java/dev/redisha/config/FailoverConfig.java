package dev.redisha.config;

/**
 * Planned moves.
 *
 * @param switchoverTimeoutMs upper bound of the write pause during failback or switchover
 * @param maxCatchUpLagBytes a replica further behind than this is not "in sync"
 */
public record FailoverConfig(long switchoverTimeoutMs, long maxCatchUpLagBytes) {}
