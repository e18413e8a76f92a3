package dev.redisha.lab;

import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's setup in network namespaces: hosts h1 (preferred master) and h2 with one agent each
 * (separate processes, managed Redis, the VIP, proxy and Sentinel endpoints) and a client host cl, all on one bridge
 * with addresses from 198.18.0.0/24. Used by the lab test and the VIP benchmark.
 */
final class VipGroup {
  static final String VIP = "198.18.0.100";
  static final String PASSWORD = "lab-password-7c1e";
  static final int PROXY_PORT = 6390;
  static final int SENTINEL_PORT = 26379;
  static final Map<String, String> ADDRESSES = new LinkedHashMap<>(Map.of(
      "h1", "198.18.0.1", "h2", "198.18.0.2", "cl", "198.18.0.10"));

  final NetnsLab lab;
  final Path dir;
  /** Config section to field to YAML value, written after the lab's own fields of that section. */
  private final Map<String, Map<String, String>> settings;

  VipGroup(NetnsLab lab, Path dir, long preemptDelayMs) {
    this(lab, dir, Map.of("coordination", Map.of("preempt_delay_ms", Long.toString(preemptDelayMs))));
  }

  /**
   * @param settings per config section ("coordination", "health", "persistence", "failover"),
   *     fields and their YAML values that replace the lab's ({@code persistence.save "60 1"}) or add
   *     to them; bench/soak passes the example config's timings here
   */
  VipGroup(NetnsLab lab, Path dir, Map<String, Map<String, String>> settings) {
    this.lab = lab;
    this.dir = dir;
    Map<String, Map<String, String>> all = new LinkedHashMap<>();
    all.put("coordination", new LinkedHashMap<>());
    all.put("health", new LinkedHashMap<>());
    all.put("persistence", new LinkedHashMap<>(Map.of("save", "\"60 1\"")));
    all.put("failover", new LinkedHashMap<>());
    settings.forEach((section, fields) -> all.computeIfAbsent(section, k -> new LinkedHashMap<>()).putAll(fields));
    this.settings = all;
    lab.build(ADDRESSES);
  }

  /**
   * Waits until the replica holds most of what was acknowledged: right after a diskless full sync
   * the master streams nothing to a replica until its first acknowledgement (up to a second),
   * although the replica already reports its link up; a fault in that window loses those writes.
   */
  void awaitReplicaReceives(String replica, Path acks) {
    awaitReplicaReceives(replica, List.of(acks));
  }

  /** As above, for several writers at once. */
  void awaitReplicaReceives(String replica, java.util.Collection<Path> acks) {
    int acked = acks.stream().mapToInt(VipGroup::lines).sum();
    Await.until(replica + " received the writes", Duration.ofSeconds(20), () -> {
      String out = lab.exec("cl", env(), "timeout", "2", "redis-cli", "-h", replica, "-p", "6379", "--no-auth-warning", "dbsize").strip();
      return out.matches("\\d+") && Long.parseLong(out) >= acked * 9L / 10;
    });
  }

  String verify(String host, Path acks) {
    return verify(host + ":6379", acks, "w");
  }

  /** Reads back, from {@code address}, every PREFIX:n key the writer of {@code acks} had acked. */
  String verify(String address, Path acks, String prefix) {
    return lab.exec("cl", env(), javaCommand("verify", address, acks.toString(), prefix).toArray(String[]::new));
  }

  void startAgents() throws IOException {
    startAgents(List.of(javaBin(), "-cp", System.getProperty("java.class.path"), "dev.redisha.cli.Main"));
  }

  /**
   * Starts one agent per host as {@code launcher run --config FILE}: the test classes above, or
   * {@code bin/redis-ha} (the jar with the JVM settings users get) for bench/soak.
   */
  void startAgents(List<String> launcher) throws IOException {
    startAgents(launcher, () -> { });
  }

  /**
   * As {@link #startAgents()}, but h2's agent only once h1 answers as master. Started together on
   * a loaded machine, h2's agent can be up long before h1's and take the empty group's master role
   * (it holds as much data as anyone: none); with failback delayed, h1 then stays a replica and a
   * trial that needs h1 as master waits for nothing.
   */
  void startAgentsH1First() throws IOException {
    startAgentsH1First(List.of(javaBin(), "-cp", System.getProperty("java.class.path"), "dev.redisha.cli.Main"));
  }

  /** As {@link #startAgentsH1First()}, with another launcher (bench/netns --agent launcher: bin/redis-ha). */
  void startAgentsH1First(List<String> launcher) throws IOException {
    startAgents(launcher, () -> awaitRole(ADDRESSES.get("h1"), "master"));
  }

  private void startAgents(List<String> launcher, Runnable betweenH1AndH2) throws IOException {
    Path key = Files.writeString(dir.resolve("key.txt"), "4f1c2a9be0d34c7a8e5f60b1c2d3e4f5");
    Path pw = Files.writeString(dir.resolve("redis.pass"), PASSWORD);
    writeConfig("h1", "h2", 150, key, pw);
    writeConfig("h2", "h1", 100, key, pw);
    for (String h : List.of("h1", "h2")) {
      if (h.equals("h2")) {
        betweenH1AndH2.run();
      }
      List<String> cmd = new ArrayList<>(launcher);
      cmd.addAll(List.of("run", "--config", dir.resolve(h + ".yaml").toString()));
      lab.start(h, cmd, Map.of(), dir.resolve(h + ".log"));
    }
  }

  private void writeConfig(String me, String peer, int priority, Path key, Path pw) throws IOException {
    String self = ADDRESSES.get(me);
    String other = ADDRESSES.get(peer);
    List<String> lines = new ArrayList<>(List.of(
        "group: lab",
        "node_id: " + me,
        "priority: " + priority,
        "state_dir: " + dir.resolve("state-" + me),
        "redis:",
        "  host: " + self,
        "  port: 6379",
        "  password_file: " + pw,
        "  mode: managed",
        "peers:",
        "  - node_id: " + peer,
        "    advert_address: " + other + ":7400",
        "    redis: " + other + ":6379",
        "coordination:",
        "  listen: " + self + ":7400",
        "  key_file: " + key));
    settings.get("coordination").forEach((field, value) -> lines.add("  " + field + ": " + value));
    for (String section : settings.keySet()) {
      if (!section.equals("coordination") && !settings.get(section).isEmpty()) {
        lines.add(section + ":");
        settings.get(section).forEach((field, value) -> lines.add("  " + field + ": " + value));
      }
    }
    lines.addAll(List.of(
        "api:",
        "  listen: 127.0.0.1:7480",
        "endpoints:",
        "  vip:",
        "    address: " + VIP + "/24",
        "    interface: eth0",
        "  proxy:",
        "    listen: " + self + ":" + PROXY_PORT,
        "  sentinel:",
        "    listen: " + self + ":" + SENTINEL_PORT,
        "    master_name: mymaster",
        "    peers: [\"" + peer + " " + other + ":" + SENTINEL_PORT + "\"]",
        ""));
    Files.writeString(dir.resolve(me + ".yaml"), String.join("\n", lines));
  }

  Process startWriter(Path acks, Path stop) {
    return startWriter(VIP + ":6379", acks, stop, "w");
  }

  /**
   * A writer in the client host; {@code route} is an address (the VIP, a proxy endpoint) or
   * {@code sentinel=host:port,...} (see {@link LabClient}).
   */
  Process startWriter(String route, Path acks, Path stop, String prefix) {
    return lab.start("cl", javaCommand("write", route, acks.toString(), stop.toString(), "2000000", "120000", prefix),
        env(), dir.resolve("writer-" + prefix + ".log"));
  }

  /**
   * A writer for long runs: at most {@code perSecond} writes a second, each padded by a rewrite of
   * one of 1024 keys with {@code padBytes} bytes (replication volume without growing memory), and
   * every failed attempt logged to {@code errors} (see {@link LabClient}).
   */
  Process startPacedWriter(String route, Path acks, Path stop, String prefix, long maxWrites, long maxMs,
      int perSecond, int padBytes, Path errors) {
    return lab.start("cl", javaCommand("write", route, acks.toString(), stop.toString(), Long.toString(maxWrites),
        Long.toString(maxMs), prefix, Integer.toString(perSecond), Integer.toString(padBytes), errors.toString()),
        env(), dir.resolve("writer-" + prefix + ".log"));
  }

  /**
   * A writer as fast as it can, logging failed attempts to {@code errors} and every connect with
   * its duration to {@code connects}, with {@code timeoutMs} for connect and reads (see {@link
   * LabClient}).
   */
  Process startLoggedWriter(String route, Path acks, Path stop, String prefix, long maxMs, Path errors, Path connects,
      int timeoutMs) {
    return lab.start("cl", javaCommand("write", route, acks.toString(), stop.toString(), "100000000",
        Long.toString(maxMs), prefix, "0", "0", errors.toString(), connects.toString(), Integer.toString(timeoutMs)),
        env(), dir.resolve("writer-" + prefix + ".log"));
  }

  static List<String> javaCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-cp", System.getProperty("java.class.path"),
        "dev.redisha.lab.LabClient"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static Map<String, String> env() {
    return Map.of("REDIS_HA_LAB_PASSWORD", PASSWORD, "REDISCLI_AUTH", PASSWORD);
  }

  void awaitRole(String host, String role) {
    Await.until(host + " answers as " + role, Duration.ofSeconds(40), () -> role(host).startsWith(role));
  }

  /** As in the seed's experiment: the replica is online before anything is broken. */
  void awaitInSyncReplica(String host) {
    Await.until(host + " is a connected replica", Duration.ofSeconds(40),
        () -> role(host).replace("\n", " ").matches("slave \\S+ 6379 connected \\d+"));
  }

  String role(String host) {
    String out = lab.exec("cl", env(), "timeout", "2", "redis-cli", "-h", host, "-p", "6379", "--no-auth-warning", "role");
    return out.strip();
  }

  static int lines(Path file) {
    try {
      return Files.exists(file) ? (int) Files.lines(file).count() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The run id of the Redis at {@code host}, as the client host sees it. */
  String runId(String host) {
    String out = lab.exec("cl", env(), "timeout", "2", "redis-cli", "-h", host, "-p", "6379", "--no-auth-warning", "info", "server");
    for (String line : out.split("\r?\n")) {
      if (line.startsWith("run_id:")) {
        return line.substring("run_id:".length()).strip();
      }
    }
    throw new AssertionError("no run_id from " + host + ": " + out);
  }

  /** The ids verify listed as missing. */
  static java.util.Set<String> missingIds(String verifyOutput) {
    int at = verifyOutput.indexOf(" ids ");
    return at < 0 ? java.util.Set.of() : java.util.Set.of(verifyOutput.substring(at + 5).strip().split(","));
  }

  static int missing(String verifyOutput) {
    String[] parts = verifyOutput.strip().split("\\s+");
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].equals("missing")) {
        return Integer.parseInt(parts[i + 1]);
      }
    }
    return Integer.MAX_VALUE;
  }
}
