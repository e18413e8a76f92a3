package dev.redisha.endpoint.sentinel;

import dev.redisha.config.HostPort;
import dev.redisha.endpoint.RedisNodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The instance descriptions of {@code SENTINEL masters|master|replicas|sentinels} and the
 * "# Sentinel" INFO section, with the field names and order of Redis 7's sentinel.c. Run ids,
 * reported roles, down flags and replication offsets are what this agent last saw of each Redis.
 * Values that describe Sentinel's own probing (ping times, pending commands) have no counterpart
 * here and are reported as a healthy Sentinel would; Sentinel's defaults stand for its tunables.
 */
final class Instances {
  /** Sentinel's defaults, reported because clients expect the fields to exist. */
  static final long DOWN_AFTER_MS = 30_000;

  static final long FAILOVER_TIMEOUT_MS = 180_000;
  /** An address that was never known (no master since the endpoint started). */
  static final HostPort UNKNOWN = new HostPort("", 0);

  private Instances() {}

  /**
   * The master. While there is none, it is the last known master; flagged {@code
   * s_down,o_down} when its Redis is down, so redis-py and other clients that check flags refuse
   * it, as with a real Sentinel mid-failover.
   */
  static List<String> master(Snapshot s, String masterName, int otherSentinels) {
    HostPort address = s.knownMaster().orElse(UNKNOWN);
    Optional<RedisNodeView> node = s.node(address);
    boolean down = s.masterDown();
    long since = s.millisInState();
    List<String> f = new ArrayList<>();
    common(f, masterName, address, node.map(RedisNodeView::runId).orElse(""),
        down ? "s_down,o_down,master" : "master", down, since);
    if (down) {
      add(f, "s-down-time", since);
      add(f, "o-down-time", since);
    }
    add(f, "down-after-milliseconds", DOWN_AFTER_MS);
    add(f, "info-refresh", 0);
    add(f, "role-reported", reportedRole(node, "master"));
    add(f, "role-reported-time", since);
    add(f, "config-epoch", s.epoch());
    add(f, "num-slaves", s.replicas().size());
    add(f, "num-other-sentinels", otherSentinels);
    add(f, "quorum", quorum(otherSentinels));
    add(f, "failover-timeout", FAILOVER_TIMEOUT_MS);
    add(f, "parallel-syncs", 1);
    return f;
  }

  /**
   * The replicas, each with its run id, reported role, link state and replication offset as this
   * agent last saw them; a replica whose Redis is down is flagged {@code s_down} so clients skip
   * it (Lettuce's MasterReplica and redis-py's replica lists do).
   */
  static List<List<String>> replicas(Snapshot s, ToLongFunction<HostPort> replOffset) {
    Optional<HostPort> master = s.master();
    long since = s.millisInState();
    List<List<String>> all = new ArrayList<>();
    for (HostPort replica : s.replicas()) {
      Optional<RedisNodeView> node = s.node(replica);
      boolean down = node.map(n -> !n.up()).orElse(false);
      boolean linked = master.isPresent() && !down;
      List<String> f = new ArrayList<>();
      common(f, replica.toString(), replica, node.map(RedisNodeView::runId).orElse(""),
          down ? "s_down,slave" : "slave", down, since);
      if (down) {
        add(f, "s-down-time", since);
      }
      add(f, "down-after-milliseconds", DOWN_AFTER_MS);
      add(f, "info-refresh", 0);
      add(f, "role-reported", reportedRole(node, "slave"));
      add(f, "role-reported-time", since);
      add(f, "master-link-down-time", linked ? 0 : since);
      add(f, "master-link-status", linked ? "ok" : "err");
      add(f, "master-host", master.map(HostPort::host).orElse("?"));
      add(f, "master-port", master.map(HostPort::port).orElse(0));
      add(f, "slave-priority", 100);
      add(f, "slave-repl-offset", replOffset.applyAsLong(replica));
      add(f, "replica-announced", 1);
      all.add(f);
    }
    return all;
  }

  /** The role the Redis last reported; Sentinel's listed role until it has reported one. */
  private static String reportedRole(Optional<RedisNodeView> node, String listed) {
    String role = node.map(RedisNodeView::role).orElse("");
    return role.isEmpty() ? listed : role;
  }

  static List<List<String>> sentinels(List<SentinelPeer> others, String group) {
    List<List<String>> all = new ArrayList<>();
    for (SentinelPeer peer : others) {
      String runId = SentinelEndpoint.runId(group, peer.nodeId());
      List<String> f = new ArrayList<>();
      common(f, runId, peer.address(), runId, "sentinel", false, 0);
      add(f, "down-after-milliseconds", DOWN_AFTER_MS);
      add(f, "last-hello-message", 0);
      add(f, "voted-leader", "?");
      add(f, "voted-leader-epoch", 0);
      all.add(f);
    }
    return all;
  }

  /** The "# Sentinel" section of INFO, lines without terminators. */
  static List<String> infoSection(Snapshot s, String masterName, int otherSentinels) {
    HostPort address = s.knownMaster().orElse(UNKNOWN);
    return List.of(
        "# Sentinel",
        "sentinel_masters:1",
        "sentinel_tilt:0",
        "sentinel_tilt_since_seconds:-1",
        "sentinel_running_scripts:0",
        "sentinel_scripts_queue_length:0",
        "sentinel_simulate_failure_flags:0",
        "master0:name=" + masterName
            + ",status=" + (s.masterDown() ? "odown" : "ok")
            + ",address=" + address
            + ",slaves=" + s.replicas().size()
            + ",sentinels=" + (otherSentinels + 1));
  }

  /** A majority of all the agents' endpoints, this one included. */
  static int quorum(int otherSentinels) {
    return (otherSentinels + 1) / 2 + 1;
  }

  private static void common(
      List<String> f, String name, HostPort address, String runId, String flags, boolean down,
      long since) {
    add(f, "name", name);
    add(f, "ip", address.host());
    add(f, "port", address.port());
    add(f, "runid", runId);
    add(f, "flags", flags);
    add(f, "link-pending-commands", 0);
    add(f, "link-refcount", 1);
    add(f, "last-ping-sent", 0);
    add(f, "last-ok-ping-reply", down ? since : 0);
    add(f, "last-ping-reply", 0);
  }

  private static void add(List<String> f, String name, String value) {
    f.add(name);
    f.add(value);
  }

  private static void add(List<String> f, String name, long value) {
    add(f, name, Long.toString(value));
  }
}
