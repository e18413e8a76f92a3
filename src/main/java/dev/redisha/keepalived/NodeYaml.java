package dev.redisha.keepalived;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The node YAML of an imported keepalived node, commented so that an operator can read what came
 * from where. Secrets appear only as file paths. Strings are written double-quoted with JSON
 * escapes (valid YAML whatever they hold).
 */
public final class NodeYaml {
  /** Where the files the YAML names are, as they should appear in it. */
  public record Files(Path keyFile, Optional<Path> passwordFile, Optional<Path> stateDir) {}

  private static final int COORDINATION_PORT = 7400;
  private static final int API_PORT = 7480;

  private NodeYaml() {}

  public static String write(ImportedNode n, Path source, Files files) {
    StringBuilder y = new StringBuilder();
    y.append("# Imported from ").append(source).append(" by redis-ha import-keepalived.\n");
    y.append("# Check it: redis-ha check-config THIS_FILE; the other node's file comes from its own\n");
    y.append("# keepalived.conf the same way, and both must name the same group and key.\n\n");
    y.append("group: ").append(q(n.group())).append('\n');
    y.append("node_id: ").append(q(n.nodeId())).append('\n');
    y.append("priority: ").append(n.priority()).append("              # keepalived's priority\n");
    files.stateDir().ifPresent(d -> y.append("state_dir: ").append(q(d.toString())).append('\n'));
    y.append('\n');
    y.append("redis:\n");
    y.append("  host: \"127.0.0.1\"      # where the agent connects to its Redis\n");
    y.append("  port: ").append(n.redisPort()).append('\n');
    y.append("  announce_host: ").append(q(n.address())).append("   # how the peer reaches this Redis\n");
    if (files.passwordFile().isPresent()) {
      y.append("  password_file: ").append(q(files.passwordFile().get().toString()))
          .append("   # from the scripts' redis-cli -a; owned by the agent's user, 0600\n");
    } else {
      y.append("  # password_file: /etc/redis-ha/redis.pass   # if Redis has requirepass\n");
    }
    y.append("  # external: Redis keeps running as it does now (its init script or unit); the agent\n");
    y.append("  # only drives it. managed: the agent starts redis-server itself.\n");
    y.append("  mode: external\n\n");
    y.append("peers:\n");
    for (ImportedNode.Peer p : n.peers()) {
      y.append("  - node_id: ").append(q(p.nodeId())).append('\n');
      y.append("    advert_address: ").append(q(p.address() + ":" + COORDINATION_PORT)).append('\n');
      y.append("    redis: ").append(q(p.address() + ":" + n.redisPort())).append('\n');
      y.append("    api: ").append(q(p.address() + ":" + API_PORT)).append('\n');
    }
    y.append('\n');
    y.append("coordination:\n");
    y.append("  backend: peer\n");
    y.append("  listen: ").append(q(n.address() + ":" + COORDINATION_PORT))
        .append("   # UDP adverts, unicast to the peer (no multicast, no VRRP)\n");
    y.append("  key_file: ").append(q(files.keyFile().toString()))
        .append("   # the same file on both nodes\n");
    y.append("  advert_interval_ms: ").append(n.advertIntervalMs());
    if (n.advertIntervalMs() != 100) {
      y.append("   # keepalived's advert_int; redis-ha's default 100 notices a lost host sooner");
    }
    y.append('\n');
    y.append("  preempt: ").append(n.preempt())
        .append("   # a higher-priority node in sync takes the master role back (no data lost)\n");
    y.append("  preempt_delay_ms: ").append(n.preemptDelayMs())
        .append("   # keepalived's preempt_delay if set, else redis-ha's default\n");
    y.append('\n');
    y.append("hooks:   # run as the agent's user with \"GROUP <group> <STATE>\", like keepalived's notify\n");
    for (String name : new String[] {"notify_master", "notify_backup", "notify_fault", "notify_stop"}) {
      ImportedNode.Hook h = n.hooks().get(name);
      if (h == null) {
        continue;
      }
      if (h.disabledBecause().isPresent()) {
        y.append("  # not enabled: ").append(oneLine(h.disabledBecause().get())).append('\n');
        y.append("  # ").append(name).append(": ").append(q(h.script().toString())).append('\n');
      } else {
        y.append("  ").append(name).append(": ").append(q(h.script().toString())).append('\n');
      }
    }
    y.append("  timeout_ms: 5000\n\n");
    y.append("api:\n");
    y.append("  listen: ").append(q(n.address() + ":" + API_PORT))
        .append("   # status, health checks, metrics; writes need token_file\n\n");
    if (n.vip().isPresent()) {
      ImportedNode.Vip v = n.vip().get();
      y.append("endpoints:\n");
      y.append("  vip:   # needs CAP_NET_ADMIN and CAP_NET_RAW (the package's vip.conf drop-in)\n");
      y.append("    address: ").append(q(v.address() + "/" + v.prefixLength())).append('\n');
      y.append("    interface: ").append(q(v.device())).append('\n');
      v.arpingCount().ifPresent(c -> y.append("    arping_count: ").append(c).append('\n'));
    } else {
      y.append("# endpoints: the keepalived config moved no VIP; add vip or proxy for the clients\n");
    }
    return y.toString();
  }

  /** A double-quoted YAML scalar. */
  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ");
  }
}
