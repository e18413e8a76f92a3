package dev.redisha.api;

import dev.redisha.coordination.AgentState;
import java.util.List;

/** Fixed statuses for the API tests. */
final class StatusSamples {
  private StatusSamples() {}

  static NodeStatus master() {
    return new NodeStatus(
        "cache",
        "node-a",
        AgentState.MASTER,
        100,
        7,
        "node-a",
        "10.0.0.1:6379",
        true,
        "master",
        123_456,
        0,
        false,
        42,
        false,
        false,
        "no action: I am master of epoch 7",
        List.of(
            new dev.redisha.coordination.MemberView(
                "node-b", AgentState.REPLICA, 7, 50, 120, true, "slave", 123_400, true)));
  }

  static NodeStatus replica() {
    return new NodeStatus(
        "cache",
        "node-b",
        AgentState.REPLICA,
        50,
        7,
        "node-a",
        "10.0.0.2:6379",
        true,
        "slave",
        123_400,
        56,
        true,
        42,
        true,
        true,
        "no action: replicating from node-a",
        List.of());
  }

  static NodeStatus withState(NodeStatus s, AgentState state, boolean redisUp) {
    return new NodeStatus(
        s.group(), s.nodeId(), state, s.priority(), s.epoch(), s.epochMaster(), s.redisAddress(),
        redisUp, s.redisRole(), s.replOffset(), s.lagBytes(), s.persisting(), s.keys(),
        s.holdDown(), s.paused(), s.lastDecision(), s.peers());
  }
}
