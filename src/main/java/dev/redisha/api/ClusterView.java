package dev.redisha.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.MemberView;
import java.util.Map;

/**
 * {@code GET /cluster}: the group as this agent sees it (itself, and each peer as its last advert
 * described it), like Patroni's member list. Another agent may know more recent news of itself:
 * {@code redis-ha status} asks each one.
 */
public final class ClusterView {
  /**
   * The members' addresses from the config, which the status snapshot does not carry.
   *
   * @param redis node id to its Redis address
   * @param api node id to its API URL ("" when not configured)
   */
  public record Layout(Map<String, String> redis, Map<String, String> api) {
    public static final Layout EMPTY = new Layout(Map.of(), Map.of());

    public Layout {
      redis = Map.copyOf(redis);
      api = Map.copyOf(api);
    }
  }

  private ClusterView() {}

  static ObjectNode tree(NodeStatus s, Layout layout) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("group", s.group());
    body.put("epoch", s.epoch());
    body.put("master", s.epochMaster());
    body.put("paused", s.paused());
    body.put("pending_switchover", s.pendingSwitchover());
    body.put("reported_by", s.nodeId());
    ArrayNode members = body.putArray("members");
    long masterOffset = s.state() == AgentState.MASTER ? s.replOffset()
        : s.peers().stream().filter(p -> p.nodeId().equals(s.epochMaster())).mapToLong(MemberView::replOffset)
            .findFirst().orElse(-1);
    ObjectNode self = members.addObject();
    self.put("name", s.nodeId());
    self.put("host", s.redisAddress());
    self.put("api_url", layout.api().getOrDefault(s.nodeId(), ""));
    self.put("state", s.state() == null ? "" : s.state().name());
    self.put("role", HealthChecks.roleOf(s));
    self.put("redis_up", s.redisUp());
    self.put("epoch", s.epoch());
    self.put("priority", s.priority());
    self.put("repl_offset", s.replOffset());
    putLag(self, s.state() == AgentState.MASTER, masterOffset, s.replOffset());
    self.put("persisting", s.persisting());
    self.put("last_heard_ms_ago", 0);
    for (MemberView p : s.peers()) {
      ObjectNode m = members.addObject();
      m.put("name", p.nodeId());
      m.put("host", layout.redis().getOrDefault(p.nodeId(), ""));
      m.put("api_url", layout.api().getOrDefault(p.nodeId(), ""));
      m.put("state", p.state() == null ? "" : p.state().name());
      m.put("role", !p.redisUp() ? "" : "slave".equals(p.redisRole()) ? "replica" : p.redisRole());
      m.put("redis_up", p.redisUp());
      m.put("epoch", p.epoch());
      m.put("priority", p.priority());
      m.put("repl_offset", p.replOffset());
      putLag(m, p.state() == AgentState.MASTER, masterOffset, p.replOffset());
      m.put("persisting", p.persisting());
      m.put("last_heard_ms_ago", p.lastHeardMsAgo());
    }
    return body;
  }

  // A master has no lag; an unknown master offset leaves it out rather than guess.
  private static void putLag(ObjectNode member, boolean master, long masterOffset, long offset) {
    if (!master && masterOffset >= 0) {
      member.put("lag_bytes", Math.max(0, masterOffset - offset));
    }
  }
}
