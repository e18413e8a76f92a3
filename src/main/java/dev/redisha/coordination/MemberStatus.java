package dev.redisha.coordination;

import java.util.Objects;

/**
 * What one member publishes to its group, whatever the backend carries it in (an advert for the
 * peer backend; a member record in a quorum store): the facts the group policy decides by.
 * Immutable; built from {@link #starting} with the named {@code with…} methods.
 *
 * @param epoch the highest epoch the member knows
 * @param epochMaster the node it believes is master of that epoch, "" if none
 * @param state what the member is doing
 * @param redisUp whether its Redis answers
 * @param redisRunId its Redis run id ("" if down)
 * @param redisRole "master", "slave" or "" if down
 * @param replId its replication id
 * @param replOffset its replication offset
 * @param masterLinkUp for a replica: whether its link to the master is up
 * @param dataEpoch the epoch whose complete data its Redis holds, -1 if none (DESIGN rule 1)
 * @param keys number of keys in its Redis
 * @param persisting whether its Redis writes RDB/AOF
 * @param wantsMaster a preferred in-sync replica asking the master to hand over (preemption)
 * @param handoverTo on the master: the node it hands over to; elsewhere: the handover its
 *     endpoints are held for; "" if none
 * @param holdDown whether it holds off taking the role back after repeated faults
 * @param maintenance the newest group maintenance state it knows
 */
public record MemberStatus(
    String nodeId,
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
    boolean holdDown,
    Maintenance maintenance) {

  public MemberStatus {
    Objects.requireNonNull(maintenance, "maintenance");
  }

  /** A member that has just started: no epoch, no Redis seen, no data. */
  public static MemberStatus starting(String nodeId, int priority) {
    return new MemberStatus(nodeId, 0, "", AgentState.STARTING, priority, false, "", "", "", 0, false, -1, 0, false,
        false, "", false, Maintenance.NONE);
  }

  public MemberStatus withEpoch(long e, String master) {
    return new MemberStatus(nodeId, e, master, state, priority, redisUp, redisRunId, redisRole, replId, replOffset,
        masterLinkUp, dataEpoch, keys, persisting, wantsMaster, handoverTo, holdDown, maintenance);
  }

  public MemberStatus withState(AgentState s) {
    return new MemberStatus(nodeId, epoch, epochMaster, s, priority, redisUp, redisRunId, redisRole, replId, replOffset,
        masterLinkUp, dataEpoch, keys, persisting, wantsMaster, handoverTo, holdDown, maintenance);
  }

  /** Its Redis as last probed: up or not, run id, role, replication id and offset, link, keys. */
  public MemberStatus withRedis(boolean up, String runId, String role, String id, long offset, boolean linkUp,
      long keyCount) {
    return new MemberStatus(nodeId, epoch, epochMaster, state, priority, up, runId, role, id, offset, linkUp,
        dataEpoch, keyCount, persisting, wantsMaster, handoverTo, holdDown, maintenance);
  }

  public MemberStatus withDataEpoch(long e) {
    return new MemberStatus(nodeId, epoch, epochMaster, state, priority, redisUp, redisRunId, redisRole, replId,
        replOffset, masterLinkUp, e, keys, persisting, wantsMaster, handoverTo, holdDown, maintenance);
  }

  public MemberStatus withPersisting(boolean p) {
    return new MemberStatus(nodeId, epoch, epochMaster, state, priority, redisUp, redisRunId, redisRole, replId,
        replOffset, masterLinkUp, dataEpoch, keys, p, wantsMaster, handoverTo, holdDown, maintenance);
  }

  public MemberStatus withWantsMaster(boolean w) {
    return new MemberStatus(nodeId, epoch, epochMaster, state, priority, redisUp, redisRunId, redisRole, replId,
        replOffset, masterLinkUp, dataEpoch, keys, persisting, w, handoverTo, holdDown, maintenance);
  }

  public MemberStatus withHandoverTo(String target) {
    return new MemberStatus(nodeId, epoch, epochMaster, state, priority, redisUp, redisRunId, redisRole, replId,
        replOffset, masterLinkUp, dataEpoch, keys, persisting, wantsMaster, target, holdDown, maintenance);
  }

  public MemberStatus withHoldDown(boolean h) {
    return new MemberStatus(nodeId, epoch, epochMaster, state, priority, redisUp, redisRunId, redisRole, replId,
        replOffset, masterLinkUp, dataEpoch, keys, persisting, wantsMaster, handoverTo, h, maintenance);
  }

  public MemberStatus withMaintenance(Maintenance m) {
    return new MemberStatus(nodeId, epoch, epochMaster, state, priority, redisUp, redisRunId, redisRole, replId,
        replOffset, masterLinkUp, dataEpoch, keys, persisting, wantsMaster, handoverTo, holdDown, m);
  }

  /** Its agent acts as master (whether its Redis really serves is another question). */
  public boolean claimsMaster() {
    return state == AgentState.MASTER || state == AgentState.HANDING_OVER;
  }

  /** Its agent acts as master and its Redis answers as one: clients may be sent to it. */
  public boolean servesAsMaster() {
    return claimsMaster() && redisUp && "master".equals(redisRole);
  }

  /** Serves as master with complete data: a replica may follow it. */
  public boolean isHealthyMaster() {
    return servesAsMaster() && dataEpoch >= 0;
  }
}
