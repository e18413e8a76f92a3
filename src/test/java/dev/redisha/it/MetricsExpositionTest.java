package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.RedisMode;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code /metrics} of real agents, read by Prometheus' own parser and linter ({@code promtool
 * check metrics}, Debian package {@code prometheus}): every family has a HELP text and a valid
 * type, counters end in {@code _total}, and the families an operator's dashboard needs are there
 * with their labels, with values that follow what happened (a failover, proxy traffic).
 */
class MetricsExpositionTest {
  private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

  @TempDir Path dir;

  /** family -> (type, label names of its samples) as Prometheus' format defines them. */
  private static final Map<String, List<Object>> EXPECTED = Map.ofEntries(
      Map.entry("redisha_build", List.of("gauge", Set.of("version", "java_version", "group", "node_id"))),
      Map.entry("redisha_role", List.of("gauge", Set.of("role"))),
      Map.entry("redisha_is_master", List.of("gauge", Set.of())),
      Map.entry("redisha_epoch", List.of("gauge", Set.of())),
      Map.entry("redisha_redis_up", List.of("gauge", Set.of())),
      Map.entry("redisha_replication_offset", List.of("gauge", Set.of())),
      Map.entry("redisha_replication_lag_bytes", List.of("gauge", Set.of())),
      Map.entry("redisha_replica_lag_bytes", List.of("gauge", Set.of("replica"))),
      Map.entry("redisha_replica_lag_seconds", List.of("gauge", Set.of("replica"))),
      Map.entry("redisha_persisting", List.of("gauge", Set.of())),
      Map.entry("redisha_paused", List.of("gauge", Set.of())),
      Map.entry("redisha_failovers_total", List.of("counter", Set.of("cause"))),
      Map.entry("redisha_switchovers_total", List.of("counter", Set.of("cause", "outcome"))),
      Map.entry("redisha_last_transition_duration_seconds", List.of("gauge", Set.of("kind"))),
      Map.entry("redisha_transition_duration_seconds", List.of("histogram", Set.of("kind", "le"))),
      Map.entry("redisha_probe_duration_seconds", List.of("histogram", Set.of("outcome", "le"))),
      Map.entry("redisha_adverts_accepted_total", List.of("counter", Set.of())),
      Map.entry("redisha_adverts_dropped_total", List.of("counter", Set.of("reason"))),
      Map.entry("redisha_peer_link_problem", List.of("gauge", Set.of("kind"))),
      Map.entry("redisha_peer_link_problem_onsets_total", List.of("counter", Set.of("kind"))),
      Map.entry("redisha_proxy_connections", List.of("gauge", Set.of())),
      Map.entry("redisha_proxy_held_connections", List.of("gauge", Set.of())),
      Map.entry("redisha_proxy_connections_accepted_total", List.of("counter", Set.of())),
      Map.entry("redisha_proxy_moved_connections_total", List.of("counter", Set.of())),
      Map.entry("redisha_proxy_closed_connections_total", List.of("counter", Set.of("reason"))),
      Map.entry("redisha_proxy_bytes_total", List.of("counter", Set.of("direction"))),
      Map.entry("redisha_proxy_upstream_errors_total", List.of("counter", Set.of())),
      Map.entry("redisha_sentinel_clients", List.of("gauge", Set.of())),
      Map.entry("redisha_sentinel_connections_received_total", List.of("counter", Set.of())),
      Map.entry("redisha_sentinel_commands_total", List.of("counter", Set.of())),
      Map.entry("redisha_sentinel_protocol_errors_total", List.of("counter", Set.of())),
      Map.entry("redisha_sentinel_auth_failures_total", List.of("counter", Set.of())),
      Map.entry("jvm_memory_used_bytes", List.of("gauge", Set.of("area", "id"))),
      Map.entry("jvm_threads_live_threads", List.of("gauge", Set.of())),
      Map.entry("process_uptime_seconds", List.of("gauge", Set.of())));

  @Test
  void everyFamilyParsesWithHelpAndTypeAndFollowsAFailover() throws Exception {
    Optional<Path> promtool = onPath("promtool");
    if (promtool.isEmpty()) {
      System.out.println("SKIPPED: promtool not installed (apt-get install prometheus); the exposition is not checked");
      assumeTrue(false, "promtool not installed");
    }
    HostPort proxy = TestGroup.loopback(TestGroup.freeTcpPort());
    Map<String, HostPort> sentinels = Map.of("a", TestGroup.loopback(TestGroup.freeTcpPort()),
        "b", TestGroup.loopback(TestGroup.freeTcpPort()));
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> EndpointsThroughAgentsTest.withEndpoints(c,
        new EndpointsConfig(Optional.empty(), Optional.of(new EndpointsConfig.Proxy(
            c.nodeId().equals("a") ? proxy : TestGroup.loopback(TestGroup.freeTcpPort()), 5000)),
            Optional.of(new EndpointsConfig.Sentinel(sentinels.get(c.nodeId()), "mymaster", Map.of())))))) {
      g.nodes().forEach(TestNode::startAgent);
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      Scenarios.awaitSteadyPair(g, a, b);
      try (Jedis client = new Jedis(proxy.host(), proxy.port())) {
        client.auth("test-redis-password");
        for (int i = 0; i < 100; i++) {
          client.set("k" + i, "v" + i);
        }
      }
      try (Jedis sentinel = new Jedis(sentinels.get("a").host(), sentinels.get("a").port())) {
        sentinel.sentinelGetMasterAddrByName("mymaster");
      }
      Await.until("a's metrics list b's lag", Duration.ofSeconds(10),
          () -> scrape(a).contains("redisha_replica_lag_bytes{replica=\"b\"}"));
      String onMaster = scrape(a);
      // Kept for the operator docs and for reading when this test fails.
      Files.writeString(Path.of("target", "metrics-master.txt"), onMaster);
      check(promtool.get(), onMaster, Set.of());
      Map<String, Double> m = samples(onMaster);
      assertTrue(m.get("redisha_proxy_bytes_total{direction=\"from_clients\"}") > 1000, "bytes the 100 SETs sent");
      assertTrue(m.get("redisha_proxy_connections_accepted_total") >= 1);
      assertTrue(m.get("redisha_sentinel_commands_total") >= 1);
      assertEquals(1.0, m.get("redisha_role{role=\"master\"}"));
      assertTrue(m.get("redisha_adverts_accepted_total") > 0);
      assertTrue(m.get("redisha_probe_duration_seconds_count{outcome=\"up\"}") > 0);

      a.redisProcess().kill();
      Await.until("b master", Duration.ofSeconds(15), () -> b.isMasterAgent() && b.redisIsMaster());
      Await.until("b counts the failover", Duration.ofSeconds(5), () -> samples(scrape(b)).entrySet().stream()
          .anyMatch(e -> e.getKey().startsWith("redisha_failovers_total") && e.getValue() == 1.0));
      String onNewMaster = scrape(b);
      Files.writeString(Path.of("target", "metrics-after-failover.txt"), onNewMaster);
      // b serves no replica yet (a's Redis is down): the per-replica families have no rows.
      check(promtool.get(), onNewMaster, Set.of("redisha_replica_lag_bytes", "redisha_replica_lag_seconds"));
      Map<String, Double> after = samples(onNewMaster);
      assertEquals(1.0, after.get("redisha_failovers_total{cause=\"master_failed\"}"),
          "one takeover: b's probe found a's Redis refusing connections");
      assertEquals(1.0, after.get("redisha_transition_duration_seconds_count{kind=\"failover\"}"));
      assertTrue(after.get("redisha_last_transition_duration_seconds{kind=\"failover\"}") >= 0);
      assertEquals(1.0, after.get("redisha_is_master"));
    }
  }

  /** promtool accepts the text (parse and lint), and each expected family has its type and labels. */
  private static void check(Path promtool, String text, Set<String> mayBeAbsent) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
    Map<String, String> types = new HashMap<>();
    Map<String, Set<String>> labels = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher t = TYPE.matcher(line);
      if (t.matches()) {
        types.put(t.group(1), t.group(2));
        continue;
      }
      Matcher s = SAMPLE.matcher(line);
      if (s.matches()) {
        String family = familyOf(s.group(1), types);
        Set<String> names = labels.computeIfAbsent(family, f -> new HashSet<>());
        if (s.group(3) != null) {
          Matcher l = LABEL.matcher(s.group(3));
          while (l.find()) {
            names.add(l.group(1));
          }
        }
      }
    }
    for (Map.Entry<String, List<Object>> e : EXPECTED.entrySet()) {
      if (mayBeAbsent.contains(e.getKey()) && !types.containsKey(e.getKey())) {
        continue;
      }
      assertEquals(e.getValue().get(0), types.get(e.getKey()), "type of " + e.getKey());
      assertEquals(new TreeSet<>((Set<?>) e.getValue().get(1)).toString(),
          new TreeSet<>(labels.getOrDefault(e.getKey(), Set.of())).toString(), "labels of " + e.getKey());
    }
  }

  // A histogram's samples are <family>_bucket, _sum and _count.
  private static String familyOf(String sample, Map<String, String> types) {
    if (types.containsKey(sample)) {
      return sample;
    }
    for (String suffix : List.of("_bucket", "_sum", "_count", "_max")) {
      if (sample.endsWith(suffix) && types.containsKey(sample.substring(0, sample.length() - suffix.length()))) {
        return sample.substring(0, sample.length() - suffix.length());
      }
    }
    return sample;
  }

  private static Map<String, Double> samples(String text) {
    Map<String, Double> out = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher s = SAMPLE.matcher(line);
      if (s.matches()) {
        out.put(s.group(1) + (s.group(2) == null ? "" : s.group(2)), Double.parseDouble(s.group(4)));
      }
    }
    return out;
  }

  static String scrape(TestNode n) {
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.agent.apiPort() + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build();
      return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("scrape of " + n.id() + " failed", e);
    }
  }

  static Optional<Path> onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
