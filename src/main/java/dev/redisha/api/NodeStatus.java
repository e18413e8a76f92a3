package dev.redisha.api;

import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.MemberView;
import java.util.List;

/**
 * What one agent reports on {@code GET /status}: itself, and what it last heard from each peer.
 * Immutable; the agent replaces it whole after every decision. Never holds a secret.
 *
 * @param lagBytes for a replica, how far its offset is behind the master's; 0 on the master
 * @param lastDecision the coordinator's latest reason line ("no action: I am master of epoch 3")
 * @param pausedBy the node whose agent took the group's last pause or resume ("" if never)
 * @param pausedAtMillis when (wall clock, ms since the epoch; 0 if never)
 * @param stateProblem why this agent cannot write its state file ("" when it can): it then takes
 *     over from nobody and its /health is not 200
 * @param warnings problems an operator should fix, one sentence each (peer keys differ, two
 *     agents with one node id, clock skew, a master's agent silent beside a healthy Redis)
 * @param pendingSwitchover an accepted operator switchover not carried out yet, "" if none
 * @param endpoints what this agent's endpoints (VIP, proxy, Sentinel) do now, for the dashboard
 */
public record NodeStatus(
    String group,
    String nodeId,
    AgentState state,
    int priority,
    long epoch,
    String epochMaster,
    String redisAddress,
    boolean redisUp,
    String redisRole,
    long replOffset,
    long lagBytes,
    boolean persisting,
    long keys,
    boolean holdDown,
    boolean paused,
    String lastDecision,
    List<MemberView> peers,
    String pausedBy,
    long pausedAtMillis,
    String stateProblem,
    List<String> warnings,
    String pendingSwitchover,
    List<EndpointView> endpoints) {

  public NodeStatus {
    peers = List.copyOf(peers);
    pausedBy = pausedBy == null ? "" : pausedBy;
    stateProblem = stateProblem == null ? "" : stateProblem;
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
    pendingSwitchover = pendingSwitchover == null ? "" : pendingSwitchover;
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }

  /** Without endpoints (older agents, tests). */
  public NodeStatus(
      String group, String nodeId, AgentState state, int priority, long epoch, String epochMaster,
      String redisAddress, boolean redisUp, String redisRole, long replOffset, long lagBytes,
      boolean persisting, long keys, boolean holdDown, boolean paused, String lastDecision,
      List<MemberView> peers, String pausedBy, long pausedAtMillis, String stateProblem, List<String> warnings,
      String pendingSwitchover) {
    this(group, nodeId, state, priority, epoch, epochMaster, redisAddress, redisUp, redisRole, replOffset,
        lagBytes, persisting, keys, holdDown, paused, lastDecision, peers, pausedBy, pausedAtMillis, stateProblem,
        warnings, pendingSwitchover, List.of());
  }

  public NodeStatus(
      String group, String nodeId, AgentState state, int priority, long epoch, String epochMaster,
      String redisAddress, boolean redisUp, String redisRole, long replOffset, long lagBytes,
      boolean persisting, long keys, boolean holdDown, boolean paused, String lastDecision,
      List<MemberView> peers, String pausedBy, long pausedAtMillis, String stateProblem, List<String> warnings) {
    this(group, nodeId, state, priority, epoch, epochMaster, redisAddress, redisUp, redisRole, replOffset,
        lagBytes, persisting, keys, holdDown, paused, lastDecision, peers, pausedBy, pausedAtMillis, stateProblem,
        warnings, "", List.of());
  }

  /** Without maintenance details, state problems or warnings (older agents, tests). */
  public NodeStatus(
      String group, String nodeId, AgentState state, int priority, long epoch, String epochMaster,
      String redisAddress, boolean redisUp, String redisRole, long replOffset, long lagBytes,
      boolean persisting, long keys, boolean holdDown, boolean paused, String lastDecision,
      List<MemberView> peers) {
    this(group, nodeId, state, priority, epoch, epochMaster, redisAddress, redisUp, redisRole, replOffset,
        lagBytes, persisting, keys, holdDown, paused, lastDecision, peers, "", 0, "", List.of(), "", List.of());
  }

  /**
   * One endpoint of this agent as it is now (DESIGN §5).
   *
   * @param kind "vip", "proxy" or "sentinel"
   * @param address the VIP with its prefix and interface, or the address the endpoint listens on
   * @param active the VIP: this node holds it; the proxy: it forwards to a master; Sentinel: it
   *     names a master to clients
   * @param target the Redis the endpoint sends clients to ("" while none)
   * @param clients client connections open now; -1 where the endpoint cannot count them (a VIP:
   *     the kernel delivers its packets)
   */
  public record EndpointView(String kind, String address, boolean active, String target, int clients) {}
}
