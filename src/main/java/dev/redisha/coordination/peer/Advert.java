package dev.redisha.coordination.peer;

import dev.redisha.coordination.AgentState;

/**
 * One agent's periodic announcement to its peers (DESIGN §4). Sent over UDP, authenticated by
 * HMAC-SHA256 and replay-protected by (bootId, seq).
 *
 * @param group group name; adverts of another group are dropped
 * @param nodeId sender
 * @param bootId the sender agent's start time (ms); grows when the agent restarts
 * @param seq increases with every advert of one boot
 * @param sentAtMillis sender's wall clock when sent
 * @param epoch the highest epoch the sender knows
 * @param epochMaster node id the sender believes is master of that epoch, "" if none
 * @param state what the sender is doing
 * @param priority sender's configured priority
 * @param redisUp whether the sender's Redis answers
 * @param redisRunId its run id ("" if down)
 * @param redisRole "master", "slave" or "" if down
 * @param replId its replication id
 * @param replOffset its replication offset
 * @param masterLinkUp for a replica: whether its link to the master is up
 * @param dataEpoch the epoch whose complete data the sender's Redis holds, -1 if it holds none
 *     (restarted empty, or never synced)
 * @param keys number of keys in its Redis
 * @param persisting whether its Redis writes RDB/AOF
 * @param wantsMaster a preferred in-sync replica asking the master to hand over (preemption)
 * @param handoverTo during a switchover, the node the master hands over to, else ""
 * @param holdDown whether the sender holds off taking the role back after repeated faults
 */
public record Advert(
    String group,
    String nodeId,
    long bootId,
    long seq,
    long sentAtMillis,
    long epoch,
    String epochMaster,
    AgentState state,
    int priority,
    boolean redisUp,
    String redisRunId,
    String redisRole,
    String replId,
    long replOffset,
    boolean masterLinkUp,
    long dataEpoch,
    long keys,
    boolean persisting,
    boolean wantsMaster,
    String handoverTo,
    boolean holdDown) {}
