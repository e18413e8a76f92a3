package dev.redisha.coordination.peer;

import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Maintenance;
import dev.redisha.coordination.MemberStatus;
import java.util.Map;
import java.util.Objects;

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
 * @param maintenance the newest group maintenance state the sender knows
 * @param heardBoots for each peer the sender hears, that peer's bootId as last accepted: an
 *     advert that echoes the receiver's current bootId was sent after the receiver started, so it
 *     is fresh without comparing the two hosts' clocks
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
    boolean holdDown,
    Maintenance maintenance,
    Map<String, Long> heardBoots) {

  public Advert {
    Objects.requireNonNull(maintenance, "maintenance");
    heardBoots = Map.copyOf(heardBoots);
  }

  /** Without maintenance state or echoes, as adverts before those fields existed. */
  public Advert(
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
      boolean holdDown) {
    this(group, nodeId, bootId, seq, sentAtMillis, epoch, epochMaster, state, priority, redisUp, redisRunId,
        redisRole, replId, replOffset, masterLinkUp, dataEpoch, keys, persisting, wantsMaster, handoverTo,
        holdDown, Maintenance.NONE, Map.of());
  }

  /** An unstamped advert of {@code group} carrying {@code status} (see {@link AdvertSequencer}). */
  public static Advert of(String group, MemberStatus status) {
    return carrying(group, 0, 0, 0, status, Map.of());
  }

  /** The one place that maps a member's status onto the wire's fields. */
  private static Advert carrying(String group, long bootId, long seq, long sentAtMillis, MemberStatus s,
      Map<String, Long> heardBoots) {
    return new Advert(group, s.nodeId(), bootId, seq, sentAtMillis, s.epoch(), s.epochMaster(), s.state(),
        s.priority(), s.redisUp(), s.redisRunId(), s.redisRole(), s.replId(), s.replOffset(), s.masterLinkUp(),
        s.dataEpoch(), s.keys(), s.persisting(), s.wantsMaster(), s.handoverTo(), s.holdDown(), s.maintenance(),
        heardBoots);
  }

  /** What the sender says about itself, without the wire's envelope: what the group policy reads. */
  public MemberStatus status() {
    return new MemberStatus(nodeId, epoch, epochMaster, state, priority, redisUp, redisRunId, redisRole, replId,
        replOffset, masterLinkUp, dataEpoch, keys, persisting, wantsMaster, handoverTo, holdDown, maintenance);
  }

  /** The same envelope carrying another status. */
  public Advert withStatus(MemberStatus s) {
    return carrying(group, bootId, seq, sentAtMillis, s, heardBoots);
  }

  /** The same advert with the replay-protection fields set (see {@link AdvertSequencer}). */
  public Advert stamped(long newBootId, long newSeq, long newSentAtMillis) {
    return carrying(group, newBootId, newSeq, newSentAtMillis, status(), heardBoots);
  }

  public Advert withMaintenance(Maintenance m) {
    return withStatus(status().withMaintenance(m));
  }

  public Advert withHeardBoots(Map<String, Long> boots) {
    return carrying(group, bootId, seq, sentAtMillis, status(), boots);
  }

  public Advert withState(AgentState s) {
    return withStatus(status().withState(s));
  }
}
