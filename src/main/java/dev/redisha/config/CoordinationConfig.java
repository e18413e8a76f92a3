package dev.redisha.config;

/**
 * The peer coordination backend (DESIGN §4).
 *
 * @param listen UDP address this agent receives adverts on
 * @param key shared HMAC-SHA256 key of the group
 * @param advertIntervalMs how often adverts are sent
 * @param downAfterAdverts silence of this many intervals makes a peer "down"
 * @param preempt whether a higher-priority in-sync replica takes the master role back
 * @param preemptDelayMs how long the preferred node must be in sync before it takes over
 * @param flapWindowMs window in which faults are counted for the hold-down
 * @param flapMaxFaults faults within the window after which the node stops taking the role back
 * @param bootstrapWaitMs how long a starting node listens for peers before it acts alone
 */
public record CoordinationConfig(
    HostPort listen,
    Secret key,
    long advertIntervalMs,
    int downAfterAdverts,
    boolean preempt,
    long preemptDelayMs,
    long flapWindowMs,
    int flapMaxFaults,
    long bootstrapWaitMs) {}
