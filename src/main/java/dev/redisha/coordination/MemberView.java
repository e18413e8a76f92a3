package dev.redisha.coordination;

/**
 * What this agent knows about another member of the group, as shown in status: whatever the
 * backend heard from it (adverts for the peer backend). Immutable.
 *
 * @param lastHeardMsAgo how long ago its newest status arrived (monotonic), -1 if never heard
 */
public record MemberView(
    String nodeId,
    AgentState state,
    long epoch,
    int priority,
    long lastHeardMsAgo,
    boolean redisUp,
    String redisRole,
    long replOffset,
    boolean persisting) {}
