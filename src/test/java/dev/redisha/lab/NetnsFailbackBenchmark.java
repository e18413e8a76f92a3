package dev.redisha.lab;

import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.BenchFigures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/netns --faults failback} (root only): what a client writing through the VIP sees
 * when the preferred master takes its role back. Each trial is a fresh steady pair (h1 preferred,
 * h2 its in-sync replica): h1's Redis is killed, h2 takes over, h1's agent restarts its Redis,
 * which resyncs from h2, and once it has been in sync for the preempt delay h2 hands the role back
 * (the planned handover of DESIGN rule 3). From the moment h1 is h2's connected replica to 500
 * writes after h1 is master again (the failback), the client's longest write pause, its READONLY
 * replies, other failed attempts, connects that took 900 ms or more (a dropped SYN is sent again
 * after 1 s) and acknowledged writes missing on h1 afterwards are counted. The client uses a
 * 2000 ms connect and read timeout (Jedis' default), so a dropped SYN shows as a slow connect and
 * an unanswered command as a 2 s pause, not as a short timeout and a retry.
 */
final class NetnsFailbackBenchmark {
  private static final int CLIENT_TIMEOUT_MS = 2000;
  private static final long PREEMPT_DELAY_MS = 2000;

  private record Result(double pauseMs, int readonly, int otherErrors, Map<String, Integer> kinds, long slowestConnectMs,
      int slowConnects, int lost, boolean handedOver, boolean overridden, String handoverSteps) {
    String errorKinds() {
      return String.join("; ", kinds.entrySet().stream().map(e -> e.getValue() + "x " + e.getKey()).toList());
    }
  }

  private record Trial(Result result, String failure) {}

  private NetnsFailbackBenchmark() {}

  static void main(String[] args) throws Exception {
    int runs = BenchFigures.runs(args, 20);
    Instant start = Instant.now();
    // Read before the trials: the agents run the classes built now, whatever is edited meanwhile.
    String commit = commit();
    List<Trial> trials = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
      Trial t = trial();
      trials.add(t);
      Result x = t.result;
      System.out.println(String.format(Locale.ROOT, "failback #%02d", r) + (x == null ? ""
          : String.format(Locale.ROOT, "  pause %7.1f ms  READONLY %d  other errors %d%s  slowest connect %d ms"
              + "  lost %d  handover %s%s  [%s]", x.pauseMs, x.readonly, x.otherErrors,
              x.errorKinds().isEmpty() ? "" : " (" + x.errorKinds() + ")", x.slowestConnectMs, x.lost,
              x.handedOver ? "ok" : "MISSING", x.overridden ? " OVERRIDDEN by a takeover" : "", x.handoverSteps))
          + (t.failure == null ? "" : " FAILED: " + t.failure));
    }
    List<Result> ok = trials.stream().filter(t -> t.failure == null).map(Trial::result).toList();
    StringBuilder out = new StringBuilder("bench/netns --faults failback: the preferred master takes its role back,"
        + " a client writing through the VIP\n\n");
    out.append("commit: ").append(commit).append(" (at the start)\n");
    out.append("date (UTC): ").append(start).append(" to ").append(Instant.now()).append('\n');
    out.append("load: ").append(Files.readString(Path.of("/proc/loadavg")).strip()).append(" (at the end)\n");
    out.append("hosts: h1 (priority 150) and h2 (priority 100), one agent process each, managed Redis; client host cl\n");
    out.append("agents: advert 100 ms x 3, health 50/200 ms, preempt_delay_ms ").append(PREEMPT_DELAY_MS)
        .append(", switchover_timeout_ms 2000; VIP announced by 5 gratuitous ARPs 300 ms apart\n");
    out.append("trial: h1's Redis killed, h2 takes over; h1 resyncs and takes its role back by preemption (planned handover)\n");
    out.append("client: one process in cl, SET one at a time through the VIP, connect and read timeout ")
        .append(CLIENT_TIMEOUT_MS).append(" ms, retried every 5 ms\n");
    out.append("window: from h1 answering as h2's connected replica to 500 writes after h1 is master again\n");
    out.append("pause: longest silence between two acks in the window; lost: acked in the window, missing on h1\n\n");
    List<Double> pauses = new ArrayList<>(ok.stream().map(Result::pauseMs).toList());
    Collections.sort(pauses);
    long failed = trials.size() - ok.size();
    if (pauses.isEmpty()) {
      out.append("no successful trial (failed ").append(failed).append(")\n");
    } else {
      out.append(String.format(Locale.ROOT, "n=%d failed=%d  write pause ms: median %7.1f  p90 %7.1f  p99 %7.1f"
              + "  min %7.1f  max %7.1f%n", pauses.size(), failed, BenchFigures.rank(pauses, 50),
          BenchFigures.rank(pauses, 90), BenchFigures.rank(pauses, 99), pauses.get(0), pauses.get(pauses.size() - 1)));
      out.append(String.format(Locale.ROOT, "READONLY replies: %d in %d trials%n", ok.stream().mapToInt(Result::readonly).sum(),
          ok.stream().filter(x -> x.readonly > 0).count()));
      out.append(String.format(Locale.ROOT, "other failed attempts: %d in %d trials (%s)%n",
          ok.stream().mapToInt(Result::otherErrors).sum(), ok.stream().filter(x -> x.otherErrors > 0).count(),
          kinds(ok)));
      out.append(String.format(Locale.ROOT, "trials with a connect of >= 900 ms: %d (connects that slow: %d)%n",
          ok.stream().filter(x -> x.slowConnects > 0).count(), ok.stream().mapToInt(Result::slowConnects).sum()));
      out.append(String.format(Locale.ROOT, "acked writes lost: %d%n", ok.stream().mapToInt(Result::lost).sum()));
      out.append(String.format(Locale.ROOT, "handovers: %d of %d trials; overridden by a takeover: %d%n",
          ok.stream().filter(Result::handedOver).count(), ok.size(), ok.stream().filter(Result::overridden).count()));
    }
    out.append("\nper trial:\n");
    for (int i = 0; i < trials.size(); i++) {
      Result x = trials.get(i).result;
      out.append(String.format(Locale.ROOT, "#%02d ", i + 1)).append(x == null ? "" : String.format(Locale.ROOT,
          "pause %7.1f ms  READONLY %d  other %d%s  slowest connect %4d ms  lost %d  %s%s  [%s]", x.pauseMs, x.readonly,
          x.otherErrors, x.errorKinds().isEmpty() ? "" : " (" + x.errorKinds() + ")", x.slowestConnectMs, x.lost,
          x.handedOver ? "handover" : "NO HANDOVER", x.overridden ? " OVERRIDDEN" : "", x.handoverSteps))
          .append(trials.get(i).failure == null ? "" : "FAILED: " + trials.get(i).failure).append('\n');
    }
    System.out.print("\n" + out);
    Path results = Path.of("bench", "results");
    Files.createDirectories(results);
    Files.writeString(results.resolve("netns-failback-latest.txt"), out.toString());
    // Appended: one file per day holds the runs before and after a change, each with its commit.
    Files.writeString(results.resolve("netns-failback-" + start.toString().substring(0, 10) + ".txt"),
        out + "\n" + "=".repeat(100) + "\n\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static Trial trial() {
    try (NetnsLab lab = new NetnsLab()) {
      Path dir = Files.createDirectories(
          Path.of("bench", "out", "netns-failback", Long.toString(System.nanoTime())).toAbsolutePath());
      VipGroup g = new VipGroup(lab, dir, PREEMPT_DELAY_MS);
      g.startAgents();
      g.awaitRole("198.18.0.1", "master");
      g.awaitRole(VipGroup.VIP, "master");
      g.awaitInSyncReplica("198.18.0.2");
      Path acks = dir.resolve("acks.txt");
      Path errors = dir.resolve("errors.txt");
      Path connects = dir.resolve("connects.txt");
      Path stop = dir.resolve("stop");
      Files.createFile(errors);
      Files.createFile(connects);
      Process writer = g.startLoggedWriter(VipGroup.VIP + ":6379", acks, stop, "w", 120_000, errors, connects,
          CLIENT_TIMEOUT_MS);
      Await.until("1000 writes through the VIP", Duration.ofSeconds(30), () -> VipGroup.lines(acks) >= 1000);
      g.awaitReplicaReceives("198.18.0.2", acks);

      for (long pid : lab.pids("h1", "redis-server")) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      Await.until("VIP answers as master from h2", Duration.ofSeconds(15),
          () -> lab.neighbourMac("cl", VipGroup.VIP).equals(lab.mac("h2")) && g.role(VipGroup.VIP).startsWith("master"));
      int afterFailover = VipGroup.lines(acks);
      Await.until("300 writes on h2", Duration.ofSeconds(20), () -> VipGroup.lines(acks) >= afterFailover + 300);
      // The preempt delay leaves the handover well after h1 is seen in sync.
      g.awaitInSyncReplica("198.18.0.1");
      long windowStart = System.currentTimeMillis();
      Await.until("h1 master again, h2 its replica, VIP on h1", Duration.ofSeconds(40),
          () -> g.role("198.18.0.1").startsWith("master") && g.role("198.18.0.2").startsWith("slave")
              && lab.neighbourMac("cl", VipGroup.VIP).equals(lab.mac("h1")));
      int afterFailback = VipGroup.lines(acks);
      Await.until("500 writes after the failback", Duration.ofSeconds(30), () -> VipGroup.lines(acks) >= afterFailback + 500);
      Files.writeString(stop, "stop");
      if (!writer.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("writer did not stop");
      }
      Path windowAcks = dir.resolve("acks-window.txt");
      Files.write(windowAcks, Files.readAllLines(acks).stream()
          .filter(l -> Long.parseLong(l.split(" ")[1]) >= windowStart).toList());
      String verify = g.verify("198.18.0.1:6379", windowAcks, "w");
      return new Trial(result(dir, acks, errors, connects, windowStart, VipGroup.missing(verify)), null);
    } catch (Exception | AssertionError e) {
      return new Trial(null, String.valueOf(e.getMessage()));
    }
  }

  private static Result result(Path dir, Path acks, Path errors, Path connects, long from, int lost) throws IOException {
    long prev = Long.MIN_VALUE;
    long worst = 0;
    for (String line : Files.readAllLines(acks)) {
      long t = Long.parseLong(line.split(" ")[1]);
      if (prev >= from) {
        worst = Math.max(worst, t - prev);
      }
      prev = t;
    }
    int readonly = 0;
    int other = 0;
    TreeMap<String, Integer> kinds = new TreeMap<>();
    for (String line : Files.readAllLines(errors)) {
      String[] f = line.split(" ", 3);
      if (f.length < 2 || Long.parseLong(f[0]) < from) {
        continue;
      }
      if (f[1].equals("READONLY")) {
        readonly++;
      } else {
        other++;
        String message = f.length > 2 ? f[2] : "";
        kinds.merge(f[1] + ": " + message.replaceAll("[0-9.:]+", "#"), 1, Integer::sum);
      }
    }
    long slowest = 0;
    int slow = 0;
    for (String line : Files.readAllLines(connects)) {
      String[] f = line.split(" ");
      if (Long.parseLong(f[0]) >= from) {
        long ms = Long.parseLong(f[1]);
        slowest = Math.max(slowest, ms);
        slow += ms >= 900 ? 1 : 0;
      }
    }
    String h2Events = events(dir, "h2");
    String h1Events = events(dir, "h1");
    Matcher handover = Pattern.compile("\"type\":\"handover\".*\"success\":true.*").matcher(h2Events);
    String steps = "";
    // The last one: under load the first election may go to h2 and be handed back at the start.
    String last = null;
    while (handover.find()) {
      last = handover.group();
    }
    boolean handedOver = last != null;
    if (handedOver) {
      Matcher f = Pattern.compile("\"fields\":\\{(.*)\\}").matcher(last);
      steps = f.find() ? f.group(1).replace("\"", "") : "";
    }
    boolean overridden = h1Events.contains("taking over from h2");
    return new Result(worst, readonly, other, kinds, slowest, slow, lost, handedOver, overridden, steps);
  }

  private static String kinds(List<Result> ok) {
    TreeMap<String, Integer> all = new TreeMap<>();
    ok.forEach(x -> x.kinds.forEach((k, n) -> all.merge(k, n, Integer::sum)));
    return String.join("; ", all.entrySet().stream().map(e -> e.getValue() + "x " + e.getKey()).toList());
  }

  private static String events(Path dir, String host) throws IOException {
    Path f = dir.resolve("state-" + host).resolve("events.jsonl");
    return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
  }

  private static String commit() {
    try {
      Process p = new ProcessBuilder("git", "describe", "--always", "--dirty", "--abbrev=12").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(5, TimeUnit.SECONDS);
      return out;
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }
}
