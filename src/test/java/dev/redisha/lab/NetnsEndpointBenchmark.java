package dev.redisha.lab;

import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.BenchFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/netns (root only): write outage through each endpoint in network namespaces when the
 * master's Redis is killed and when the master's host loses its link, over repeated trials. In
 * every trial three client processes in the client host write at once, one per endpoint, so the
 * endpoints are compared under the same fault and the same load: through the VIP, through the
 * proxy endpoint of h2 (the proxy of h1 dies with its host), and to the master a Sentinel client
 * finds by asking the Sentinel endpoints of h1 and h2. Each client logs every acknowledgement with
 * its wall-clock time; the outage is the longest silence between two acks after the fault.
 */
public final class NetnsEndpointBenchmark {
  private static final List<String> ALL_FAULTS = List.of("crash", "host-loss");
  /** Endpoint name to the writer's route (see {@link LabClient}). */
  private static final Map<String, String> ROUTES = new LinkedHashMap<>();

  static {
    ROUTES.put("vip", VipGroup.VIP + ":6379");
    ROUTES.put("proxy", "198.18.0.2:" + VipGroup.PROXY_PORT);
    ROUTES.put("sentinel", "sentinel=198.18.0.1:" + VipGroup.SENTINEL_PORT + ",198.18.0.2:" + VipGroup.SENTINEL_PORT);
  }

  /** lostOlder: acked more than 200 ms before the fault, longer than any replication lag here. */
  private record Result(double outageMs, int lost, int lostOlder) {}

  /**
   * @param steps the takeover's steps (see {@link TakeoverSteps}), as ms since the fault; empty
   *     when the promotion event was not found
   */
  private record Trial(String fault, Map<String, Result> byEndpoint, Map<String, Double> steps, String failure) {}

  public static void main(String[] args) throws Exception {
    if (!NetnsLab.isRoot() || !NetnsLab.toolsPresent()) {
      System.err.println("bench/netns needs root, ip (iproute2) and arping (iputils-arping)");
      System.exit(2);
    }
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--faults") && args[i + 1].equals("failback")) {
        NetnsFailbackBenchmark.main(args);
        return;
      }
    }
    int runs = BenchFigures.runs(args, 20);
    List<String> launcher = launcher(args);
    List<String> faults = faults(args);
    Instant start = Instant.now();
    List<Trial> trials = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
      for (String fault : faults) {
        Trial t = trial(fault, launcher);
        trials.add(t);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-9s #%02d", fault, r));
        t.byEndpoint.forEach((e, res) -> line.append(
            String.format(Locale.ROOT, "  %s %7.1f ms lost %d (older %d)", e, res.outageMs, res.lost, res.lostOlder)));
        System.out.println(line + (t.failure == null ? "" : " FAILED: " + t.failure));
      }
    }
    StringBuilder out = new StringBuilder("bench/netns: write outage through each endpoint (network namespaces, one bridge)\n\n");
    out.append("date (UTC): ").append(start).append(" to ").append(Instant.now()).append('\n');
    out.append("hosts: h1 (priority 150) and h2 (priority 100), one agent process each, managed Redis; client host cl\n");
    out.append("agents run as: ").append(launcher.isEmpty()
        ? "java -cp target/classes:... dev.redisha.cli.Main (the JVM's defaults)"
        : "bin/redis-ha (the jar, with the JVM options and class archive users get)").append('\n');
    out.append("agents: advert 100 ms x 3, health 50/200 ms; VIP announced by 5 gratuitous ARPs 300 ms apart; no failback\n");
    out.append("clients: three processes in cl writing at once, SET one at a time, Jedis timeout 300 ms, retried every 5 ms:\n");
    out.append("  vip: through the VIP; proxy: through h2's proxy endpoint; sentinel: to the master named by the\n");
    out.append("  Sentinel endpoints of h1 and h2 (asked at most every 20 ms, the last one that answered first, 300 ms timeout)\n");
    out.append("crash: SIGKILL of h1's redis-server; host-loss: h1's eth0 set down\n");
    out.append("outage: longest silence between two acks after the fault; lost: acked writes missing on h2 afterwards\n");
    out.append("step table: from h2's promote event (t_*_ms since its detection, detected_wall_ms); the fault's time is the\n");
    out.append("  SIGKILL (crash) or the return of `ip link set eth0 down` (host loss)\n");
    out.append("  (asynchronous replication: what h1 acked but had not sent to h2 when it died is lost; nothing older may be)\n\n");
    for (String fault : faults) {
      List<Trial> of = trials.stream().filter(t -> t.fault.equals(fault)).toList();
      long failed = of.stream().filter(t -> t.failure != null).count();
      for (String endpoint : ROUTES.keySet()) {
        List<Double> v = new ArrayList<>(of.stream().filter(t -> t.failure == null)
            .map(t -> t.byEndpoint.get(endpoint).outageMs).toList());
        Collections.sort(v);
        int lost = of.stream().filter(t -> t.failure == null).mapToInt(t -> t.byEndpoint.get(endpoint).lost).sum();
        int older = of.stream().filter(t -> t.failure == null).mapToInt(t -> t.byEndpoint.get(endpoint).lostOlder).sum();
        if (v.isEmpty()) {
          out.append(String.format(Locale.ROOT, "%-9s %-8s no successful trial (failed %d)%n", fault, endpoint, failed));
          continue;
        }
        out.append(String.format(Locale.ROOT, "%-9s %-8s n=%d failed=%d  outage ms: median %7.1f  p90 %7.1f  p99 %7.1f"
                + "  min %7.1f  max %7.1f; acked writes lost %d (acked > 200 ms before the fault: %d)%n", fault, endpoint,
            v.size(), failed, BenchFigures.rank(v, 50), BenchFigures.rank(v, 90), BenchFigures.rank(v, 99), v.get(0), v.get(v.size() - 1), lost, older));
      }
    }
    trials.stream().filter(t -> t.failure != null)
        .forEach(t -> out.append("failed ").append(t.fault).append(": ").append(t.failure).append('\n'));
    for (String fault : faults) {
      out.append('\n').append(TakeoverSteps.table(fault,
          trials.stream().filter(t -> t.fault.equals(fault) && t.failure == null).map(t -> t.steps).toList()));
    }
    System.out.print("\n" + out);
    Path results = Path.of("bench", "results");
    Files.createDirectories(results);
    String kind = (launcher.isEmpty() ? "" : "-launcher") + (faults.size() == 1 ? "-" + faults.get(0) : "");
    Files.writeString(results.resolve("netns-" + start.toString().substring(0, 10) + kind + ".txt"), out.toString());
    Files.writeString(results.resolve("netns" + kind + "-latest.txt"), out.toString());
  }


  /** --faults crash or --faults host-loss: only that fault (for diagnosis); both by default. */
  private static List<String> faults(String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--faults") && ALL_FAULTS.contains(args[i + 1])) {
        return List.of(args[i + 1]);
      }
    }
    return ALL_FAULTS;
  }

  /** Empty: the test classes on the JVM's defaults; else bin/redis-ha as users run it (--agent launcher). */
  private static List<String> launcher(String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--agent") && args[i + 1].equals("launcher")) {
        return List.of(Path.of("bin", "redis-ha").toAbsolutePath().toString());
      }
    }
    return List.of();
  }

  private static Trial trial(String fault, List<String> launcher) {
    Map<String, Result> results = new LinkedHashMap<>();
    try (NetnsLab lab = new NetnsLab()) {
      Path dir = Files.createDirectories(Path.of("bench", "out", "netns", Long.toString(System.nanoTime())).toAbsolutePath());
      // No failback during the measurement: it is not what this benchmark is about.
      VipGroup g = new VipGroup(lab, dir, 600_000);
      if (launcher.isEmpty()) {
        g.startAgentsH1First();
      } else {
        g.startAgentsH1First(launcher);
      }
      g.awaitRole(VipGroup.VIP, "master");
      g.awaitInSyncReplica("198.18.0.2");
      Path stop = dir.resolve("stop");
      Map<String, Path> acks = new LinkedHashMap<>();
      List<Process> writers = new ArrayList<>();
      for (Map.Entry<String, String> e : ROUTES.entrySet()) {
        Path file = dir.resolve("acks-" + e.getKey() + ".txt");
        acks.put(e.getKey(), file);
        // Every failed attempt and every connect is logged beside the acks, so a trial's client side
        // (what the seconds after the ARP went on) can be read afterwards.
        writers.add(g.startLoggedWriter(e.getValue(), file, stop, e.getKey(), 120_000,
            dir.resolve("errors-" + e.getKey() + ".txt"), dir.resolve("connects-" + e.getKey() + ".txt"), 300));
      }
      for (Map.Entry<String, Path> e : acks.entrySet()) {
        Await.until("1000 writes through " + e.getKey(), Duration.ofSeconds(30), () -> VipGroup.lines(e.getValue()) >= 1000);
      }
      g.awaitReplicaReceives("198.18.0.2", acks.values());
      // When the client host's neighbour entry for the VIP changed hands, and when each host's
      // address list did: the part of the outage between the gratuitous ARP and the client's
      // reconnect is read from these (wall-clock timestamps, like the acks).
      lab.start("cl", List.of("ip", "-ts", "monitor", "neigh"), Map.of(), dir.resolve("neigh-cl.txt"));
      lab.start("h1", List.of("ip", "-ts", "monitor", "address"), Map.of(), dir.resolve("addr-h1.txt"));
      lab.start("h2", List.of("ip", "-ts", "monitor", "address"), Map.of(), dir.resolve("addr-h2.txt"));
      // The fault's time for the step table: the kill itself (the pid lookup before it takes tens
      // of ms on a loaded host), or the end of the command that set the link down.
      long faultAt;
      if (fault.equals("crash")) {
        List<Long> pids = lab.pids("h1", "redis-server");
        faultAt = System.currentTimeMillis();
        for (long pid : pids) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
      } else {
        lab.sh("ip", "-n", lab.ns("h1"), "link", "set", "eth0", "down");
        faultAt = System.currentTimeMillis();
      }
      // Beside the client logs, so a trial directory can be read on its own afterwards.
      Files.writeString(dir.resolve("fault.txt"), fault + " " + faultAt + "\n");
      for (Map.Entry<String, Path> e : acks.entrySet()) {
        int before = VipGroup.lines(e.getValue());
        Await.until("300 writes through " + e.getKey() + " after the fault", Duration.ofSeconds(20),
            () -> VipGroup.lines(e.getValue()) >= before + 300);
      }
      Files.writeString(stop, "stop");
      for (Process w : writers) {
        w.waitFor();
      }
      for (Map.Entry<String, Path> e : acks.entrySet()) {
        String verify = g.verify("198.18.0.2:6379", e.getValue(), e.getKey());
        results.put(e.getKey(), new Result(outage(e.getValue(), faultAt), VipGroup.missing(verify),
            ackedBefore(e.getValue(), verify, faultAt - 200)));
      }
      Map<String, Double> steps = TakeoverSteps.read(dir.resolve("state-h2").resolve("events.jsonl"), faultAt);
      for (Map.Entry<String, Path> e : acks.entrySet()) {
        steps.put("client via " + e.getKey() + " writes again", resumedAt(e.getValue(), faultAt) - (double) faultAt);
      }
      return new Trial(fault, results, steps, null);
    } catch (Exception | AssertionError e) {
      return new Trial(fault, results, Map.of(), String.valueOf(e.getMessage()));
    }
  }

  /** How many of the missing writes that verify listed were acked before {@code cutoffMillis}. */
  private static int ackedBefore(Path acks, String verifyOutput, long cutoffMillis) throws java.io.IOException {
    java.util.Set<String> missing = VipGroup.missingIds(verifyOutput);
    int older = 0;
    for (String line : Files.readAllLines(acks)) {
      String[] f = line.split(" ");
      if (missing.contains(f[0]) && Long.parseLong(f[1]) < cutoffMillis) {
        older++;
      }
    }
    return older;
  }

  /** When the ack that ended the longest silence after the fault came (wall ms). */
  private static long resumedAt(Path acks, long faultAt) throws java.io.IOException {
    long prev = Long.MIN_VALUE;
    long worst = -1;
    long at = -1;
    for (String line : Files.readAllLines(acks)) {
      long t = Long.parseLong(line.split(" ")[1]);
      if (prev != Long.MIN_VALUE && t >= faultAt && t - prev > worst) {
        worst = t - prev;
        at = t;
      }
      prev = t;
    }
    return at;
  }

  /** The longest silence between two acks around the fault, from "n wallMillis" lines. */
  private static double outage(Path acks, long faultAt) throws java.io.IOException {
    long prev = Long.MIN_VALUE;
    long worst = 0;
    for (String line : Files.readAllLines(acks)) {
      long t = Long.parseLong(line.split(" ")[1]);
      if (prev != Long.MIN_VALUE && t >= faultAt) {
        worst = Math.max(worst, t - prev);
      }
      prev = t;
    }
    return worst;
  }
}
