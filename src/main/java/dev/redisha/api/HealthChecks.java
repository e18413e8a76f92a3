package dev.redisha.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.redisha.coordination.AgentState;
import java.util.OptionalLong;

/**
 * The load-balancer checks, with Patroni's meanings ({@code /primary}, {@code /replica},
 * {@code /read-only}, {@code /health}, {@code /readiness}): 200 when this node should get the
 * traffic the route names, 503 when not. A pure function of the status snapshot, so the answer is
 * the same on GET, HEAD and OPTIONS and costs no I/O (they are answered on the event loop).
 */
final class HealthChecks {
  /** The answer of one check: the HTTP code and the JSON body GET returns. */
  record Check(int code, ObjectNode body) {
    boolean ok() {
      return code == 200;
    }
  }

  private HealthChecks() {}

  /**
   * {@code /primary}: the master of the group, its Redis answering, able to record epochs. A
   * master that cannot write its state file cannot take part in a safe failover, so a load
   * balancer should know now rather than at the next promotion.
   */
  static Check primary(NodeStatus s) {
    return check(isWritableMaster(s), s);
  }

  /**
   * {@code /replica}: an agent in REPLICA state whose Redis answers as a replica, and, with
   * {@code maxLag}, at most that many bytes behind the master's last advertised offset.
   */
  static Check replica(NodeStatus s, OptionalLong maxLag) {
    return check(isReplica(s) && withinLag(s, maxLag), s);
  }

  /** {@code /read-only}: like {@code /replica}, and the master too (it serves reads as well). */
  static Check readOnly(NodeStatus s, OptionalLong maxLag) {
    return check(isWritableMaster(s) || (isReplica(s) && withinLag(s, maxLag)), s);
  }

  /** {@code /health}: this node's Redis answers, whatever its role (Patroni: "PostgreSQL is up"). */
  static Check health(NodeStatus s) {
    return check(s.redisUp(), s);
  }

  /**
   * {@code /readiness}: this node can take traffic for its role now: the writable master, or a
   * replica at most {@code maxLag} bytes behind (Patroni: the leader, or a replica that is
   * streaming and not too far behind).
   */
  static Check readiness(NodeStatus s, long maxLag) {
    return check(isWritableMaster(s) || (isReplica(s) && s.lagBytes() <= maxLag), s);
  }

  private static boolean isWritableMaster(NodeStatus s) {
    return s.state() == AgentState.MASTER && s.redisUp() && "master".equals(s.redisRole())
        && s.stateProblem().isEmpty();
  }

  private static boolean isReplica(NodeStatus s) {
    return s.state() == AgentState.REPLICA && s.redisUp() && "slave".equals(s.redisRole());
  }

  private static boolean withinLag(NodeStatus s, OptionalLong maxLag) {
    return maxLag.isEmpty() || s.lagBytes() <= maxLag.getAsLong();
  }

  private static Check check(boolean ok, NodeStatus s) {
    return new Check(ok ? 200 : 503, body(s));
  }

  /** What every health check returns, like Patroni's member document. */
  static ObjectNode body(NodeStatus s) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("node_id", s.nodeId());
    body.put("state", s.state() == null ? "" : s.state().name());
    body.put("role", roleOf(s));
    body.put("redis_up", s.redisUp());
    body.put("epoch", s.epoch());
    body.put("epoch_master", s.epochMaster());
    body.put("repl_offset", s.replOffset());
    if (s.state() != AgentState.MASTER) {
      body.put("lag_bytes", s.lagBytes());
    }
    body.put("paused", s.paused());
    if (!s.stateProblem().isEmpty()) {
      body.put("state_problem", s.stateProblem());
    }
    return body;
  }

  /** "master", "replica" or "" (Redis' "slave" in the words of the rest of the API). */
  static String roleOf(NodeStatus s) {
    if (!s.redisUp()) {
      return "";
    }
    return switch (s.redisRole() == null ? "" : s.redisRole()) {
      case "master" -> "master";
      case "slave" -> "replica";
      default -> s.redisRole();
    };
  }
}
