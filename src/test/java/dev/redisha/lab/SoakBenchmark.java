package dev.redisha.lab;

import dev.redisha.event.Event;
import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.BenchFigures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * bench/soak (root only): does a healthy group stay put on a busy host? Two hosts in network
 * namespaces run the real agent ({@code bin/redis-ha run}, so its JVM settings too) with the
 * example config's timings, a client writes through h2's proxy endpoint, and busy loops keep the
 * load average above the core count for the whole run. Nothing is injected until the end: every
 * promote, handover and persistence switch the agents record in that window is a decision a user
 * would see for nothing. Then the master's host loses its link once, to show that a real failure
 * still fails over, and every acked write is read back.
 */
public final class SoakBenchmark {
  private static final String WRITER_ROUTE = "198.18.0.2:" + VipGroup.PROXY_PORT;
  private static final long SAMPLE_MS = 5000;
  private static final long WARM_UP_MAX_S = 180;
  /** Setup, warm-up, the end-of-run failback wait and host loss fit in this, beyond the soak. */
  private static final long EXTRA_BUDGET_S = 900;

  record Options(int minutes, int hogs, int perSecond, int padBytes, double targetLoad, Path results) {
    static Options parse(String[] args) {
      int minutes = 30;
      int hogs = 6;
      int perSecond = 1000;
      int padBytes = 1024;
      double targetLoad = 4.0;
      Path results = Path.of("bench", "results");
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "--minutes" -> minutes = Integer.parseInt(value);
          case "--hogs" -> hogs = Integer.parseInt(value);
          case "--rate" -> perSecond = Integer.parseInt(value);
          case "--pad-bytes" -> padBytes = Integer.parseInt(value);
          case "--load" -> targetLoad = Double.parseDouble(value);
          case "--results" -> results = Path.of(value);
          default -> throw new IllegalArgumentException("bench/soak: unknown option " + args[i]
              + " (known: --minutes N, --hogs MAX, --rate N, --pad-bytes N, --load X, --results DIR)");
        }
        i++;
      }
      if (minutes < 1 || hogs < 0 || perSecond < 1 || padBytes < 0) {
        throw new IllegalArgumentException("bench/soak: --minutes and --rate must be at least 1, --hogs and --pad-bytes at least 0");
      }
      return new Options(minutes, hogs, perSecond, padBytes, targetLoad, results);
    }
  }

  private final Options o;
  private final Path dir;
  private final Map<String, Map<String, String>> settings;
  private final List<String> notes = new ArrayList<>();
  private final Map<String, String> agentJvm = new TreeMap<>();
  private String failure;
  private Instant startedAt = Instant.now();
  private Instant soakStart;
  private Instant soakEnd;
  private String masterAtStart = "h1";
  private String victim;
  private String survivor;
  private long faultAtMillis;
  private String survivorRole = "";
  private String verifyOutput = "";
  private double warmUpLoad = Double.NaN;
  private List<LoadAndRoleSampler.Sample> samples = List.of();

  private SoakBenchmark(Options o, Path dir, Map<String, Map<String, String>> settings) {
    this.o = o;
    this.dir = dir;
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    if (!NetnsLab.isRoot() || !NetnsLab.toolsPresent()) {
      System.err.println("bench/soak needs root, ip (iproute2) and arping (iputils-arping)");
      System.exit(2);
    }
    Options o = Options.parse(args);
    if (!Files.isRegularFile(Path.of("target", "redis-ha.jar"))) {
      System.err.println("bench/soak: target/redis-ha.jar is missing (bench/soak builds it; run it from there)");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of("bench", "out",
        "soak-" + Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(":", "")).toAbsolutePath());
    SoakBenchmark b = new SoakBenchmark(o, dir, ExampleSettings.read(Path.of("examples", "node-a.yaml")));
    NetnsLab lab = new NetnsLab();
    AtomicBoolean closed = new AtomicBoolean();
    Runnable cleanUp = () -> {
      if (closed.compareAndSet(false, true)) {
        lab.close();
      }
    };
    // Ctrl-C must not leave the busy loops, agents and namespaces behind.
    Thread hook = new Thread(cleanUp, "soak-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      b.run(lab);
    } catch (Exception | AssertionError e) {
      b.failure = String.valueOf(e.getMessage());
      e.printStackTrace();
    } finally {
      cleanUp.run();
      Runtime.getRuntime().removeShutdownHook(hook);
    }
    String report = b.report();
    System.out.print("\n" + report);
    Files.createDirectories(o.results());
    Path file = o.results().resolve("soak-" + b.startedAt.toString().substring(0, 10) + ".txt");
    Files.writeString(file, report + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.println("appended to " + file + "; logs and events in " + dir);
  }

  private void run(NetnsLab lab) throws Exception {
    long budgetS = o.minutes() * 60L + EXTRA_BUDGET_S;
    VipGroup g = new VipGroup(lab, dir, settings);
    // Before the agents: they start, elect and sync under the same load as the rest of the run.
    CpuHog hog = new CpuHog(lab, "cl", o.hogs(), o.targetLoad(), budgetS, dir);
    g.startAgents(List.of(Path.of("bin", "redis-ha").toAbsolutePath().toString()));
    LoadAndRoleSampler sampler = new LoadAndRoleSampler(g, hog::running, SAMPLE_MS, (int) (budgetS * 1000 / SAMPLE_MS));
    try {
      Await.until("h1 answers as master", Duration.ofSeconds(120), () -> g.role("198.18.0.1").startsWith("master"));
      Await.until("h2 is h1's connected replica", Duration.ofSeconds(120), () -> connectedReplica(g, "198.18.0.2"));
      for (String h : List.of("h1", "h2")) {
        agentJvm.put(h, lab.pids(h, "java").stream().map(SoakBenchmark::commandLine).findFirst().orElse("?"));
      }
      Path acks = dir.resolve("acks.txt");
      Path stop = dir.resolve("stop");
      Process writer = g.startPacedWriter(WRITER_ROUTE, acks, stop, "w", o.perSecond() * budgetS, budgetS * 1000,
          o.perSecond(), o.padBytes(), dir.resolve("errors.txt"));
      Await.until("1000 writes through h2's proxy", Duration.ofSeconds(60), () -> VipGroup.lines(acks) >= 1000);
      warmUp();
      soakStart = Instant.now();
      masterAtStart = g.role("198.18.0.1").startsWith("master") ? "h1" : "h2";
      soakUntil(soakStart.plus(Duration.ofMinutes(o.minutes())));
      soakEnd = Instant.now();
      hostLoss(lab, g, acks);
      hog.close();
      Files.writeString(stop, "stop");
      if (!writer.waitFor(60, TimeUnit.SECONDS)) {
        notes.add("the writer did not stop within 60 s of the stop file");
      }
      sampler.close();
      verifyOutput = readBack(lab, survivor.equals("h1") ? "198.18.0.1:6379" : "198.18.0.2:6379", acks);
    } finally {
      sampler.close();
      samples = sampler.between(startedAt, Instant.now());
    }
  }

  /** Every acked key read back from the survivor, by a client in the client host (long runs take a while). */
  private String readBack(NetnsLab lab, String address, Path acks) throws Exception {
    Path log = dir.resolve("verify.log");
    Process p = lab.start("cl", VipGroup.javaCommand("verify", address, acks.toString(), "w"), VipGroup.env(), log);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      notes.add("reading the acked writes back took over 10 minutes; stopped");
      return "";
    }
    return Files.readString(log);
  }

  /** The 1-minute load average lags: the measured window opens once it has reached the target. */
  private void warmUp() {
    long t0 = System.nanoTime();
    try {
      Await.until("load average " + o.targetLoad(), Duration.ofSeconds(WARM_UP_MAX_S),
          () -> LoadAndRoleSampler.load1() >= o.targetLoad());
    } catch (AssertionError e) {
      notes.add(String.format(Locale.ROOT, "warm-up: the load average did not reach %.1f in %d s (%.2f); measured anyway",
          o.targetLoad(), WARM_UP_MAX_S, LoadAndRoleSampler.load1()));
    }
    warmUpLoad = LoadAndRoleSampler.load1();
    System.out.printf(Locale.ROOT, "warm-up: %.0f s, load average %.2f%n", (System.nanoTime() - t0) / 1e9, warmUpLoad);
  }

  /** The measured window: nothing is done to the group; a line a minute shows how it goes. */
  private void soakUntil(Instant end) throws IOException {
    Instant nextReport = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(end)) {
      LockSupport.parkNanos(Math.max(1, Math.min(Duration.between(Instant.now(), end).toNanos(), 1_000_000_000L)));
      if (!Instant.now().isBefore(nextReport)) {
        nextReport = nextReport.plusSeconds(60);
        RoleChanges c = RoleChanges.in(RoleChanges.read(stateDirs()), soakStart, Instant.now(), masterAtStart);
        System.out.printf(Locale.ROOT, "%4d min  load %.2f  promotes %d  handovers %d  persistence on master %d%n",
            Duration.between(soakStart, Instant.now()).toMinutes(), LoadAndRoleSampler.load1(), c.promotes.size(),
            c.handovers.size(), c.masterPersistence.size());
      }
    }
  }

  /** The one injected fault: the master's host loses its link, as bench/netns does. */
  private void hostLoss(NetnsLab lab, VipGroup g, Path acks) {
    try {
      // A takeover shortly before the end is handed back to h1 (preempt); the writer's proxy is on
      // h2, so the host lost should be h1.
      Await.until("h1 master and h2 its connected replica before the host loss", Duration.ofSeconds(60),
          () -> g.role("198.18.0.1").startsWith("master") && connectedReplica(g, "198.18.0.2"));
    } catch (AssertionError e) {
      notes.add("before the host loss: " + e.getMessage());
    }
    victim = g.role("198.18.0.1").startsWith("master") ? "h1" : "h2";
    survivor = victim.equals("h1") ? "h2" : "h1";
    if (victim.equals("h2")) {
      notes.add("h2 was master at the end: its host loss takes the writer's proxy with it");
    }
    long ackedBytes = size(acks);
    faultAtMillis = System.currentTimeMillis();
    lab.sh("ip", "-n", lab.ns(victim), "link", "set", "eth0", "down");
    try {
      Await.until("300 writes after the host loss", Duration.ofSeconds(30), () -> linesFrom(acks, ackedBytes) >= 300);
    } catch (AssertionError e) {
      notes.add("after the host loss: " + e.getMessage());
    }
    String survivorAddress = survivor.equals("h1") ? "198.18.0.1" : "198.18.0.2";
    try {
      Await.until(survivor + " answers as master", Duration.ofSeconds(30), () -> g.role(survivorAddress).startsWith("master"));
    } catch (AssertionError e) {
      notes.add("after the host loss: " + e.getMessage());
    }
    survivorRole = g.role(survivorAddress).split("\n")[0];
  }

  private static boolean connectedReplica(VipGroup g, String host) {
    return g.role(host).replace("\n", " ").matches("slave \\S+ 6379 connected \\d+");
  }

  private List<Path> stateDirs() {
    return List.of(dir.resolve("state-h1"), dir.resolve("state-h2"));
  }

  private static String commandLine(long pid) {
    try {
      String[] args = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0");
      List<String> jvm = new ArrayList<>();
      for (String a : args) {
        if (a.equals("-jar")) {
          break;
        }
        jvm.add(a);
      }
      return String.join(" ", jvm.subList(Math.min(1, jvm.size()), jvm.size())) + (jvm.size() <= 1 ? "(none)" : "");
    } catch (IOException e) {
      return "?";
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Lines written to {@code file} after its first {@code offset} bytes. */
  private static int linesFrom(Path file, long offset) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      f.seek(offset);
      byte[] rest = new byte[(int) Math.max(0, f.length() - offset)];
      f.readFully(rest);
      int n = 0;
      for (byte b : rest) {
        n += b == '\n' ? 1 : 0;
      }
      return n;
    } catch (IOException e) {
      return 0;
    }
  }

  private String report() throws IOException {
    StringBuilder out = new StringBuilder("bench/soak: a two-node group on a busy host, nothing injected, then one host loss\n");
    Instant now = Instant.now();
    out.append("date (UTC): ").append(startedAt).append(" to ").append(now).append('\n');
    out.append("commit: ").append(sh("git", "describe", "--always", "--dirty")).append('\n');
    out.append("machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", ")
        .append(sh("redis-server", "--version").replaceAll(" sha=.*", "")).append(", ")
        .append(sh("java", "-version").lines().findFirst().orElse("?")).append('\n');
    out.append("agents: bin/redis-ha run in hosts h1 (priority 150) and h2 (100), network namespaces, managed Redis,"
        + " VIP, proxy and Sentinel endpoints; JVM options as started: ").append(agentJvm).append('\n');
    out.append("timings (from examples/node-a.yaml): ").append(settings).append('\n');
    out.append(String.format(Locale.ROOT, "writer: through h2's proxy (%s), one MSET at a time (w:n, plus a %d-byte pad key),"
        + " at most %d/s, Jedis timeout 300 ms, retried after 5 ms%n", WRITER_ROUTE, o.padBytes(), o.perSecond()));
    if (failure != null) {
      out.append("FAILED: ").append(failure).append('\n');
    }
    notes.forEach(n -> out.append("note: ").append(n).append('\n'));
    if (soakStart == null) {
      return out.toString();
    }
    Instant windowEnd = faultAtMillis > 0 ? Instant.ofEpochMilli(faultAtMillis) : (soakEnd != null ? soakEnd : now);
    out.append(String.format(Locale.ROOT, "duration: %.1f min measured (asked %d min) from %s, after a warm-up to load %.2f%n",
        Duration.between(soakStart, windowEnd).toMillis() / 60000.0, o.minutes(), soakStart, warmUpLoad));
    List<LoadAndRoleSampler.Sample> inWindow = samples.stream()
        .filter(s -> !s.at().isBefore(soakStart) && s.at().isBefore(windowEnd)).toList();
    List<Double> loads = sorted(inWindow.stream().map(LoadAndRoleSampler.Sample::load1).toList());
    List<Double> loops = sorted(inWindow.stream().map(s -> (double) s.hogLoops()).toList());
    if (!loads.isEmpty()) {
      out.append(String.format(Locale.ROOT, "load average (1 min) in the window, sampled every %d s: n=%d min %.2f median %.2f max %.2f"
              + " (target above %.1f); busy loops running: min %.0f median %.0f max %.0f (at most %d)%n",
          SAMPLE_MS / 1000, loads.size(), loads.get(0), BenchFigures.rank(loads, 50), loads.get(loads.size() - 1), o.targetLoad(),
          loops.get(0), BenchFigures.rank(loops, 50), loops.get(loops.size() - 1), o.hogs()));
    }
    long twoMasters = inWindow.stream().filter(LoadAndRoleSampler.Sample::twoMasters).count();
    out.append("role samples with both Redis answering master (no partition): ").append(twoMasters).append('\n');

    List<Event> events = RoleChanges.read(stateDirs());
    RoleChanges soak = RoleChanges.in(events, soakStart, windowEnd, masterAtStart);
    // Under load the first election may go to h2 and be handed back: context, not counted.
    RoleChanges setup = RoleChanges.in(events, Instant.EPOCH, soakStart, "");
    out.append("before the window (setup, warm-up; not counted): promotes ").append(setup.promotes.size())
        .append(", handovers ").append(setup.handovers.size()).append(", demotes ").append(setup.demotes.size()).append('\n');
    out.append("\nin the window (master at its start: ").append(masterAtStart).append(")\n");
    out.append("takeovers (promote events): ").append(soak.promotes.size()).append("   target 0\n");
    soak.promotes.forEach(e -> out.append("  ").append(RoleChanges.describe(e)).append('\n'));
    out.append("planned handovers that moved the role (failbacks): ").append(soak.handovers.size()).append('\n');
    soak.handovers.forEach(e -> out.append("  ").append(RoleChanges.describe(e)).append('\n'));
    if (!soak.failedHandovers.isEmpty()) {
      out.append("handovers that failed: ").append(soak.failedHandovers.size()).append('\n');
    }
    out.append("demotes: ").append(soak.demotes.size()).append('\n');
    out.append("persistence switches on the master: ").append(soak.masterPersistence.size()).append("   target 0\n");
    soak.masterPersistence.stream().limit(20).forEach(e -> out.append("  ").append(RoleChanges.describe(e)).append('\n'));
    out.append("persistence switches on the replica: ").append(soak.replicaPersistence.size()).append('\n');
    out.append("events by node and type: ").append(soak.byType).append('\n');

    AckFigures a = AckFigures.read(dir.resolve("acks.txt"), soakStart.toEpochMilli(), windowEnd.toEpochMilli(), faultAtMillis,
        VipGroup.missingIds(verifyOutput));
    Map<String, Integer> errorsIn = errors(soakStart.toEpochMilli(), windowEnd.toEpochMilli());
    out.append(String.format(Locale.ROOT, "writes acked in the window: %d (%.0f/s); longest pause between two acks %d ms;"
            + " pauses over 1 s: %d%n", a.inWindow, a.inWindow / Math.max(1.0, Duration.between(soakStart, windowEnd).toSeconds()),
        a.longestPauseMs, a.pausesOver1s));
    out.append("client errors in the window: ").append(errorsIn.values().stream().mapToInt(Integer::intValue).sum())
        .append(' ').append(errorsIn).append('\n');
    int missing = verifyOutput.isEmpty() ? -1 : VipGroup.missing(verifyOutput);
    out.append(String.format(Locale.ROOT, "acked writes lost: %s of %d read back from %s; acked before the host loss: %d   target 0;"
            + " acked from 200 ms before the cut on: %d%s%n", missing < 0 ? "not read back" : Integer.toString(missing), a.total,
        survivor, a.lostBefore, a.lostAtCut, missing > 1000 ? " (first 1000 missing classified)" : ""));

    if (faultAtMillis > 0) {
      out.append("\nhost loss at the end: ").append(victim).append("'s eth0 set down at ").append(Instant.ofEpochMilli(faultAtMillis)).append('\n');
      out.append("  write outage (longest silence between two acks after the cut): ").append(a.outageMs).append(" ms\n");
      out.append("  the role went to: ").append(survivor).append(" (its Redis answers: ").append(survivorRole).append(")\n");
      Map<String, Integer> errorsAfter = errors(faultAtMillis, Long.MAX_VALUE);
      out.append("  client errors after the cut: ").append(errorsAfter.values().stream().mapToInt(Integer::intValue).sum())
          .append(' ').append(errorsAfter).append('\n');
      events.stream().filter(e -> e.time().toEpochMilli() >= faultAtMillis).filter(e -> !e.type().equals("decision")).limit(12)
          .forEach(e -> out.append(String.format(Locale.ROOT, "  +%d ms %s%n", e.time().toEpochMilli() - faultAtMillis, RoleChanges.describe(e))));
    }
    return out.toString();
  }

  private static List<Double> sorted(List<Double> values) {
    List<Double> out = new ArrayList<>(values);
    Collections.sort(out);
    return out;
  }

  /** Failed write attempts from the writer's error log in [from, to), by kind. */
  private Map<String, Integer> errors(long from, long to) throws IOException {
    Map<String, Integer> byKind = new TreeMap<>();
    Path file = dir.resolve("errors.txt");
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        String[] f = line.split(" ", 3);
        long t = Long.parseLong(f[0]);
        if (t >= from && t < to) {
          byKind.merge(f[1], 1, Integer::sum);
        }
      }
    }
    return byKind;
  }

  private static String sh(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(20, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** The writer's acks ("n millis runid" lines), read once, streaming: a long run acks millions. */
  private static final class AckFigures {
    long total;
    long inWindow;
    long longestPauseMs;
    int pausesOver1s;
    long outageMs;
    int lostBefore;
    int lostAtCut;

    static AckFigures read(Path acks, long from, long to, long faultAt, Set<String> missing) throws IOException {
      AckFigures a = new AckFigures();
      if (!Files.exists(acks)) {
        return a;
      }
      long prev = Long.MIN_VALUE;
      try (BufferedReader r = Files.newBufferedReader(acks)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          String[] f = line.split(" ");
          long t = Long.parseLong(f[1]);
          a.total++;
          if (prev != Long.MIN_VALUE && t >= from && t < to) {
            a.inWindow++;
            a.longestPauseMs = Math.max(a.longestPauseMs, t - prev);
            a.pausesOver1s += t - prev > 1000 ? 1 : 0;
          }
          if (prev != Long.MIN_VALUE && faultAt > 0 && t >= faultAt) {
            a.outageMs = Math.max(a.outageMs, t - prev);
          }
          if (missing.contains(f[0])) {
            if (faultAt > 0 && t >= faultAt - 200) {
              a.lostAtCut++;
            } else {
              a.lostBefore++;
            }
          }
          prev = t;
        }
      }
      return a;
    }
  }
}
