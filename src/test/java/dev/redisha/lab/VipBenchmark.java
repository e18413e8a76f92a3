package dev.redisha.lab;

import dev.redisha.testsupport.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * bench/vip (root only): write outage through the VIP in network namespaces when the master's
 * Redis is killed and when the master's host loses its link, over repeated trials. The client runs
 * in its own namespace and logs each acknowledgement with its wall-clock time; the outage is the
 * gap between the last ack before the fault and the first one after.
 */
public final class VipBenchmark {
  private record Trial(String fault, double outageMs, int lost, String failure) {}

  public static void main(String[] args) throws Exception {
    if (!NetnsLab.isRoot() || !NetnsLab.toolsPresent()) {
      System.err.println("bench/vip needs root, ip (iproute2) and arping (iputils-arping)");
      System.exit(2);
    }
    int runs = 20;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs")) {
        runs = Integer.parseInt(args[++i]);
      }
    }
    Instant start = Instant.now();
    List<Trial> trials = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
      for (String fault : List.of("crash", "host-loss")) {
        Trial t = trial(fault);
        trials.add(t);
        System.out.printf(Locale.ROOT, "%-9s #%02d outage %8.1f ms, acked writes lost %d%s%n", fault, r, t.outageMs, t.lost,
            t.failure == null ? "" : " FAILED: " + t.failure);
      }
    }
    StringBuilder out = new StringBuilder("bench/vip: write outage through the VIP (network namespaces, one bridge)\n\n");
    out.append("date (UTC): ").append(start).append(" to ").append(Instant.now()).append('\n');
    out.append("hosts: h1 (priority 150) and h2 (priority 100), one agent process each, managed Redis; client host cl\n");
    out.append("agents: advert 100 ms x 3, health 50/200 ms; VIP announced by 5 gratuitous ARPs 300 ms apart\n");
    out.append("client: one process in cl, SET one at a time through the VIP, Jedis timeout 300 ms, retried every 5 ms\n");
    out.append("crash: SIGKILL of h1's redis-server; host-loss: h1's eth0 set down\n\n");
    for (String fault : List.of("crash", "host-loss")) {
      List<Double> v = new ArrayList<>(trials.stream().filter(t -> t.fault.equals(fault) && t.failure == null)
          .map(t -> t.outageMs).toList());
      Collections.sort(v);
      long failed = trials.stream().filter(t -> t.fault.equals(fault) && t.failure != null).count();
      int lost = trials.stream().filter(t -> t.fault.equals(fault)).mapToInt(t -> t.lost).sum();
      if (v.isEmpty()) {
        out.append(String.format(Locale.ROOT, "%-9s no successful trial (failed %d)%n", fault, failed));
        continue;
      }
      out.append(String.format(Locale.ROOT, "%-9s n=%d failed=%d  outage ms: median %.1f  p90 %.1f  p99 %.1f  min %.1f  max %.1f;"
              + " acked writes lost %d%n", fault, v.size(), failed, rank(v, 50), rank(v, 90), rank(v, 99), v.get(0),
          v.get(v.size() - 1), lost));
    }
    System.out.print("\n" + out);
    Path results = Path.of("bench", "results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("vip-" + start.toString().substring(0, 10) + ".txt"), out.toString());
    Files.writeString(results.resolve("vip-latest.txt"), out.toString());
  }

  private static double rank(List<Double> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static Trial trial(String fault) {
    try (NetnsLab lab = new NetnsLab()) {
      Path dir = Files.createDirectories(Path.of("bench", "out", "vip", Long.toString(System.nanoTime())).toAbsolutePath());
      // No failback during the measurement: it is not what this benchmark is about.
      VipGroup g = new VipGroup(lab, dir, 600_000);
      g.startAgents();
      g.awaitRole(VipGroup.VIP, "master");
      g.awaitInSyncReplica("198.18.0.2");
      Path acks = dir.resolve("acks.txt");
      Path stop = dir.resolve("stop");
      Process writer = g.startWriter(acks, stop);
      Await.until("1000 writes through the VIP", Duration.ofSeconds(30), () -> VipGroup.lines(acks) >= 1000);
      g.awaitReplicaReceives("198.18.0.2", acks);
      long faultAt = System.currentTimeMillis();
      if (fault.equals("crash")) {
        for (long pid : lab.pids("h1", "redis-server")) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
      } else {
        lab.sh("ip", "-n", lab.ns("h1"), "link", "set", "eth0", "down");
      }
      int before = VipGroup.lines(acks);
      Await.until("300 writes after the fault", Duration.ofSeconds(20), () -> VipGroup.lines(acks) >= before + 300);
      Files.writeString(stop, "stop");
      writer.waitFor();
      double outage = outage(acks, faultAt);
      String verify = g.verify("198.18.0.2", acks);
      return new Trial(fault, outage, VipGroup.missing(verify), null);
    } catch (Exception | AssertionError e) {
      return new Trial(fault, 0, 0, String.valueOf(e.getMessage()));
    }
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
