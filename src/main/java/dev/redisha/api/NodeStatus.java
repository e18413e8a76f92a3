package dev.redisha.api;

import dev.redisha.coordination.AgentState;
import java.util.List;

/**
 * What one agent reports on {@code GET /status}: itself, and what it last heard from each peer.
 * Immutable; the agent replaces it whole after every decision. Never holds a secret.
 *
 * @param lagBytes for a replica, how far its offset is behind the master's; 0 on the master
 * @param lastDecision the coordinator's latest reason line ("no action: I am master of epoch 3")
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
    List<PeerView> peers) {

  public NodeStatus {
    peers = List.copyOf(peers);
  }

  /** What this agent knows about a peer from its adverts. */
  public record PeerView(
      String nodeId,
      AgentState state,
      long epoch,
      int priority,
      long lastHeardMsAgo,
      boolean redisUp,
      String redisRole,
      long replOffset,
      boolean persisting) {}
}
