package dev.redisha.it;

import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.RedisMode;
import dev.redisha.coordination.AgentState;
import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.BenchFigures;
import dev.redisha.testsupport.SentinelRoute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * bench/endpoints: write outage seen by a client through each endpoint when the master's Redis
 * is killed (F1) and during the failback (F6), over repeated trials. Not a test: it prints
 * figures and writes them to bench/results. Usage: {@code --runs N}.
 */
public final class EndpointBenchmark {
  private record Trial(String endpoint, double crashOutageMs, double failbackPauseMs, int failbackErrors,
      int lostOlder, int lostTotal, String failure) {}

  public static void main(String[] args) throws Exception {
    int runs = BenchFigures.runs(args, 20);
    Instant start = Instant.now();
    List<Trial> trials = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
      for (String endpoint : List.of("proxy", "sentinel")) {
        Trial t = trial(endpoint);
        trials.add(t);
        System.out.printf(Locale.ROOT, "%-8s #%02d crash outage %7.1f ms | failback pause %7.1f ms, errors %d | lost %d (older than 200 ms before the kill %d)%s%n",
            endpoint, r, t.crashOutageMs, t.failbackPauseMs, t.failbackErrors, t.lostTotal, t.lostOlder,
            t.failure == null ? "" : " FAILED: " + t.failure);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("bench/endpoints: write outage through each endpoint, redis-ha F1 (master Redis SIGKILLed) and F6 (failback)\n\n");
    out.append("date (UTC): ").append(start).append(" to ").append(Instant.now()).append('\n');
    out.append("machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores; load before/after in bench/endpoints output\n");
    out.append("agents: managed mode, loopback, advert 100 ms x 3, health 50/200 ms, preempt delay 500 ms\n");
    out.append("client: one writer, SET one at a time, Jedis timeout 2000 ms, retried until acked;\n");
    out.append("  proxy: connects to node a's proxy endpoint; sentinel: asks the Sentinel endpoints for the master (cached <= 20 ms)\n\n");
    for (String endpoint : List.of("proxy", "sentinel")) {
      List<Trial> ok = trials.stream().filter(t -> t.endpoint.equals(endpoint) && t.failure == null).toList();
      out.append(String.format(Locale.ROOT, "%-8s n=%d (failed %d)%n", endpoint, ok.size(),
          trials.stream().filter(t -> t.endpoint.equals(endpoint) && t.failure != null).count()));
      out.append(stats("  F1 crash outage ms   ", ok.stream().map(t -> t.crashOutageMs).toList()));
      out.append(stats("  F6 failback pause ms ", ok.stream().map(t -> t.failbackPauseMs).toList()));
      out.append(String.format(Locale.ROOT, "  F6 client errors total %d; acked writes lost total %d (older than 200 ms before the kill: %d)%n",
          ok.stream().mapToInt(t -> t.failbackErrors).sum(), ok.stream().mapToInt(t -> t.lostTotal).sum(),
          ok.stream().mapToInt(t -> t.lostOlder).sum()));
    }
    System.out.print("\n" + out);
    Path results = Path.of("bench", "results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("endpoints-" + start.toString().substring(0, 10) + ".txt"), out.toString());
    Files.writeString(results.resolve("endpoints-latest.txt"), out.toString());
  }

  private static String stats(String label, List<Double> values) {
    if (values.isEmpty()) {
      return label + " no data\n";
    }
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    return String.format(Locale.ROOT, "%s median %7.1f  p90 %7.1f  p99 %7.1f  min %7.1f  max %7.1f%n", label,
        BenchFigures.rank(v, 50), BenchFigures.rank(v, 90), BenchFigures.rank(v, 99), v.get(0), v.get(v.size() - 1));
  }


  private static Trial trial(String endpoint) throws IOException {
    Path dir = Files.createTempDirectory("redis-ha-bench-endpoints-");
    HostPort proxy = TestGroup.loopback(TestGroup.freeTcpPort());
    HostPort sentinelA = TestGroup.loopback(TestGroup.freeTcpPort());
    HostPort sentinelB = TestGroup.loopback(TestGroup.freeTcpPort());
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> EndpointsThroughAgentsTest.withEndpoints(c,
        new EndpointsConfig(Optional.empty(),
            c.nodeId().equals("a") ? Optional.of(new EndpointsConfig.Proxy(proxy, 5000)) : Optional.empty(),
            Optional.of(new EndpointsConfig.Sentinel(c.nodeId().equals("a") ? sentinelA : sentinelB, "mymaster",
                c.nodeId().equals("a") ? Map.of("b", sentinelB) : Map.of("a", sentinelA))))))) {
      g.nodes().forEach(TestNode::startAgent);
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      Scenarios.awaitSteadyPair(g, a, b);
      SentinelRoute sentinelRoute = new SentinelRoute(List.of(sentinelA, sentinelB), "mymaster", 200);
      java.util.function.Supplier<Optional<HostPort>> route =
          endpoint.equals("proxy") ? () -> Optional.of(proxy) : sentinelRoute::master;
      try (Writer w = new Writer(route, a.config.redis().password(), 2_000_000, 120_000, 2000)) {
        Await.until("2000 writes", Duration.ofSeconds(30), () -> w.acked() >= 2000);
        long killedAt = System.nanoTime();
        a.redisProcess().kill();
        Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
        int after = w.acked();
        Await.until("1000 writes after the failover", Duration.ofSeconds(20), () -> w.acked() >= after + 1000);
        double outage = w.longestGapMsAfter(killedAt);
        long failbackFrom = System.nanoTime();
        int errorsBefore = w.errorCount();
        Await.until("failback", Duration.ofSeconds(40),
            () -> a.isMasterAgent() && a.redisIsMaster() && b.agent.status().state() == AgentState.REPLICA);
        int later = w.acked();
        Await.until("1000 writes after the failback", Duration.ofSeconds(20), () -> w.acked() >= later + 1000);
        w.close();
        var missing = w.missingOn(a.config.redis().address());
        int older = (int) missing.stream().filter(x -> x.atNanos() < killedAt - 200_000_000L).count();
        return new Trial(endpoint, outage, w.longestGapMsAfter(failbackFrom), w.errorCount() - errorsBefore, older,
            missing.size(), null);
      }
    } catch (AssertionError | RuntimeException e) {
      return new Trial(endpoint, 0, 0, 0, 0, 0, String.valueOf(e.getMessage()));
    }
  }
}
