package dev.redisha.api;

/**
 * One change of the group's master, as {@code GET /history} and {@code redis-ha history} show it.
 *
 * @param time when it completed (ISO-8601, UTC)
 * @param epoch the epoch the new master holds
 * @param kind "failover" (a takeover from a failed master), "switchover" (a planned, zero-loss
 *     handover: operator or failback) or "bootstrap" (the first master of a group); and beside
 *     the master changes, what explains the ones that did not happen: the operator's "pause",
 *     "resume", "schedule" (a scheduled switchover, {@code to} its target), "cancel", and
 *     "scheduled-switchover-refused" (recorded by the master that refused it)
 * @param from the old master ("" for a bootstrap, or when the record does not say)
 * @param to the new master
 * @param cause a fixed code for why, for scripts and metrics labels (see {@link TransitionCause})
 * @param reason the agent's sentence for why
 * @param outageMs for a switchover, how long writes were paused; for a failover, how long the
 *     takeover's steps took (fence, epoch, promotion), not counting the time to detect the failure
 * @param recordedBy the agent whose event log holds it
 */
public record Transition(
    String time, long epoch, String kind, String from, String to, String cause, String reason, long outageMs,
    String recordedBy) {}
