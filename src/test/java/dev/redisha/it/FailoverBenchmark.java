package dev.redisha.it;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.config.Secret;
import dev.redisha.coordination.AgentState;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisInfo;
import dev.redisha.testsupport.Await;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * F1 (master Redis killed) and F6 (failback to the preferred node) measured over repeated trials,
 * against Redis Sentinel measured in the same run (see {@code bench/README.md}). A benchmark, not a
 * test: it reports what it sees, including trials that fail or lose writes, and never asserts.
 *
 * <pre>
 * bench/failover [--runs N] [--results DIR] [--work DIR] [--keep] [--no-sentinel]
 * </pre>
 */
public final class FailoverBenchmark {
  /** Sentinel's down-after-milliseconds: our down time, 3 adverts x 100 ms. */
  static final long SENTINEL_DOWN_AFTER_MS = 300;
  static final long SENTINEL_FAILOVER_TIMEOUT_MS = 5000;
  /** How stale a Sentinel-aware client's idea of the master may be. */
  static final long SENTINEL_ROUTE_REFRESH_MS = 20;
  static final long RECENT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  static final int WARMUP_ACKS = 2000;
  static final int ACKS_AFTER = 1000;
  static final int WRITER_MAX_WRITES = 5_000_000;
  static final long WRITER_MAX_MS = 180_000;
  static final Secret SENTINEL_PASSWORD =
      new Secret("bench-sentinel-password".getBytes(StandardCharsets.UTF_8), "bench");

  private final int runs;
  private final Path resultsDir;
  private final Path workDir;
  private final boolean keep;
  private final boolean sentinel;
  private final PrintStream console;
  private final List<HaTrial> haTrials = new ArrayList<>();
  private final List<SentinelTrial> sentinelTrials = new ArrayList<>();
  private String sentinelSkipped;
  /** Node a's config of the first trial, for the report. */
  private NodeConfig haConfig;

  private FailoverBenchmark(int runs, Path resultsDir, Path workDir, boolean keep, boolean sentinel) {
    this.runs = runs;
    this.resultsDir = resultsDir;
    this.workDir = workDir;
    this.keep = keep;
    this.sentinel = sentinel;
    this.console = System.out;
  }

  public static void main(String[] args) {
    int runs = 20;
    Path results = Path.of("bench", "results");
    Path work = null;
    boolean keep = false;
    boolean sentinel = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = positiveInt(args, ++i);
        case "--results" -> results = Path.of(value(args, ++i));
        case "--work" -> work = Path.of(value(args, ++i));
        case "--keep" -> keep = true;
        case "--no-sentinel" -> sentinel = false;
        case "-h", "--help" -> {
          System.out.println("usage: bench/failover [--runs N] [--results DIR] [--work DIR] [--keep] [--no-sentinel]");
          System.exit(0);
        }
        default -> usage("unknown option " + args[i]);
      }
    }
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    if (work == null) {
      work = Path.of("bench", "out", "failover-" + stamp);
    }
    try {
      Files.createDirectories(work);
      new FailoverBenchmark(runs, results, work, keep, sentinel).run();
    } catch (IOException e) {
      System.err.println("bench/failover: " + e);
      System.exit(1);
    }
    // Agent and writer threads of a trial that timed out may linger; the results are written.
    System.exit(0);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static int positiveInt(String[] args, int i) {
    String v = value(args, i);
    try {
      int n = Integer.parseInt(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(args[i - 1] + " must be a positive whole number, not \"" + v + "\"");
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("bench/failover: " + problem);
    System.err.println("usage: bench/failover [--runs N] [--results DIR] [--work DIR] [--keep] [--no-sentinel]");
    System.exit(2);
  }

  private void run() throws IOException {
    Instant started = Instant.now();
    String loadBefore = firstLine(Path.of("/proc/loadavg"));
    console.printf("bench/failover: %d trials of redis-ha%s, work dir %s%n", runs,
        sentinel ? " interleaved with Redis Sentinel" : "", workDir);
    for (int i = 1; i <= runs; i++) {
      HaTrial ha = haTrial(i);
      haTrials.add(ha);
      console.println(ha.line());
      if (sentinel && sentinelSkipped == null) {
        SentinelTrial s = sentinelTrial(i);
        sentinelTrials.add(s);
        console.println(s.line());
      }
    }
    String report = report(started, loadBefore, firstLine(Path.of("/proc/loadavg")));
    Files.createDirectories(resultsDir);
    String date = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(started);
    Path dated = resultsDir.resolve("failover-" + date + ".txt");
    Files.writeString(dated, report, StandardCharsets.UTF_8);
    Files.copy(dated, resultsDir.resolve("failover-latest.txt"), StandardCopyOption.REPLACE_EXISTING);
    console.println();
    console.print(summary());
    console.println("results: " + dated + " (and failover-latest.txt)");
  }

  // ---- redis-ha ---------------------------------------------------------------------------

  private HaTrial haTrial(int i) {
    Path dir = trialDir(i, "redis-ha");
    HaTrial r = new HaTrial(i, dir);
    try (TrialOutput out = new TrialOutput(dir.resolve("trial.log"));
        TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> c)) {
      g.nodes().forEach(TestNode::startAgent);
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      if (haConfig == null) {
        haConfig = a.config;
      }
      HostPort aRedis = a.config.redis().address();
      Scenarios.awaitSteadyPair(g, a, b);
      try (Writer w = new Writer(g::masterRedis, a.config.redis().password(), WRITER_MAX_WRITES, WRITER_MAX_MS);
          TwoMasterWatch watch = new TwoMasterWatch(a, b)) {
        Await.until(WARMUP_ACKS + " writes acked", Duration.ofSeconds(20), () -> w.acked() >= WARMUP_ACKS);
        Map<String, Integer> errorsBefore = w.errors();
        r.lagBytes = replicaLagBytes(b.info(), a::info);
        long killAt = System.nanoTime();
        a.redisProcess().kill();

        // F1: b takes over; the outage is read from the ack timestamps afterwards.
        Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
        int afterPromotion = w.acked();
        Await.until(ACKS_AFTER + " writes acked on b", Duration.ofSeconds(10),
            () -> w.acked() >= afterPromotion + ACKS_AFTER);

        // F6: from the moment a's restarted Redis answers as a replica until 1000 acks after failback.
        Await.until("a's Redis back as a replica", Duration.ofSeconds(30),
            () -> a.info().map(x -> !x.isMaster()).orElse(false));
        long f6From = System.nanoTime();
        Map<String, Integer> errorsAtF6 = w.errors();
        Await.until("a master again", Duration.ofSeconds(30), () -> a.isMasterAgent() && a.redisIsMaster());
        Await.until("b replica of a", Duration.ofSeconds(10),
            () -> b.agent.status().state() == AgentState.REPLICA && !b.redisIsMaster());
        int afterFailback = w.acked();
        Await.until(ACKS_AFTER + " writes acked after the failback", Duration.ofSeconds(10),
            () -> w.acked() >= afterFailback + ACKS_AFTER);
        w.close();
        watch.close();

        List<Writer.Ack> acks = w.acks();
        Outage f1 = Outage.after(acks, killAt, aRedis);
        r.f1OutageMs = f1.gapMs();
        r.f1FromKillMs = f1.fromFaultMs();
        r.f1Errors = byKind(diff(errorsAtF6, errorsBefore));
        r.f6PauseMs = longestGapMs(acks, f6From, afterFailback + ACKS_AFTER - 1);
        r.f6Errors = byKind(diff(w.errors(), errorsAtF6));

        Optional<HostPort> finalMaster = g.masterRedis();
        if (!finalMaster.equals(Optional.of(aRedis))) {
          r.anomalies.add("the agents name " + finalMaster.map(HostPort::toString).orElse("no master")
              + " as master at the end, not a (" + aRedis + ")");
        }
        for (Writer.Ack x : w.missingOn(aRedis)) {
          if (x.atNanos() >= f6From) {
            r.f6Lost++;
          } else if (x.server().equals(aRedis)) {
            r.f1Lost++;
            if (x.atNanos() >= killAt - RECENT_NANOS) {
              r.f1LostRecent++;
            }
          } else {
            r.f1LostAfterPromotion++;
          }
        }
        if (r.f1Lost > r.f1LostRecent) {
          r.anomalies.add((r.f1Lost - r.f1LostRecent) + " writes acked more than 200 ms before the kill were lost");
        }
        if (r.f1LostAfterPromotion > 0) {
          r.anomalies.add(r.f1LostAfterPromotion + " writes acked by b after its promotion were lost");
        }
        if (r.f6Lost > 0) {
          r.anomalies.add(r.f6Lost + " writes acked during the failback were lost");
        }
        long masters = g.redisMasters();
        if (masters != 1) {
          r.anomalies.add(masters + " Redis masters at the end of the trial");
        }
        r.anomalies.addAll(watch.overlaps(killAt));
        r.ok = true;
      }
    } catch (AssertionError | RuntimeException e) {
      r.failure = reason(e);
    }
    dropData(dir);
    return r;
  }

  /** The agents' events, and for a failed or anomalous trial the end of their log. */
  private static List<String> haDiagnostics(Path dir, boolean withLog) {
    List<String> lines = new ArrayList<>();
    for (String node : List.of("a", "b")) {
      lines.add("events of " + node + " (" + dir.resolve(node).resolve("events.jsonl") + "):");
      lines.addAll(indent(readLines(dir.resolve(node).resolve("events.jsonl"), 200)));
    }
    if (withLog) {
      lines.add("last lines of the agents' log (" + dir.resolve("trial.log") + "):");
      lines.addAll(indent(readLines(dir.resolve("trial.log"), 80)));
    }
    return lines;
  }

  /** Sentinel's log, and when writes were lost the data servers' logs too. */
  private static List<String> sentinelDiagnostics(Path dir, boolean withServers) {
    List<String> lines = new ArrayList<>();
    List<String> logs = withServers ? List.of("sentinel.log", "replica/redis.log", "master/redis.log")
        : List.of("sentinel.log");
    for (String log : logs) {
      lines.add("last lines of " + dir.resolve(log) + ":");
      lines.addAll(indent(readLines(dir.resolve(log), 40)));
    }
    return lines;
  }

  // ---- Sentinel ---------------------------------------------------------------------------

  private SentinelTrial sentinelTrial(int i) {
    Path dir = trialDir(i, "sentinel");
    SentinelTrial r = new SentinelTrial(i, dir);
    try (TrialOutput out = new TrialOutput(dir.resolve("trial.log"));
        SentinelPair p = SentinelPair.start(dir, SENTINEL_PASSWORD, SENTINEL_DOWN_AFTER_MS,
            SENTINEL_FAILOVER_TIMEOUT_MS, Duration.ofSeconds(30))) {
      try (SentinelPair.SentinelRoute route = p.route(SENTINEL_ROUTE_REFRESH_MS);
          Writer w = new Writer(route, p.password(), WRITER_MAX_WRITES, WRITER_MAX_MS)) {
        Await.until(WARMUP_ACKS + " writes acked", Duration.ofSeconds(20), () -> w.acked() >= WARMUP_ACKS);
        Map<String, Integer> errorsBefore = w.errors();
        r.lagBytes = replicaLagBytes(p.info(p.replica), () -> p.info(p.master));
        long killAt = System.nanoTime();
        p.masterProcess().kill();
        Await.until("Sentinel names the replica as master", Duration.ofSeconds(30),
            () -> route.get().equals(Optional.of(p.replica)));
        int afterSwitch = w.acked();
        Await.until(ACKS_AFTER + " writes acked on the new master", Duration.ofSeconds(10),
            () -> w.acked() >= afterSwitch + ACKS_AFTER);
        w.close();
        List<Writer.Ack> acks = w.acks();
        Outage f1 = Outage.after(acks, killAt, p.master);
        r.f1OutageMs = f1.gapMs();
        r.f1FromKillMs = f1.fromFaultMs();
        r.f1Errors = byKind(diff(w.errors(), errorsBefore));
        for (Writer.Ack x : w.missingOn(p.replica)) {
          r.f1Lost++;
          if (x.server().equals(p.master) && x.atNanos() >= killAt - RECENT_NANOS) {
            r.f1LostRecent++;
          }
        }
        r.ok = true;
      }
    } catch (SentinelPair.SentinelExited e) {
      r.failure = reason(e);
      sentinelSkipped = "Sentinel could not be run here (" + e.getMessage() + "); see " + dir.resolve("sentinel.log");
    } catch (AssertionError | RuntimeException e) {
      r.failure = reason(e);
    }
    dropData(dir);
    return r;
  }

  // ---- trial plumbing ---------------------------------------------------------------------

  private Path trialDir(int i, String kind) {
    try {
      // createTempDirectory makes it 0700: the Sentinel config inside holds a password.
      return Files.createTempDirectory(workDir, String.format("%02d-%s-", i, kind));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes a trial's Redis data files (RDB, AOF) unless --keep; its logs and events stay, so an
   * outlier can be explained after the run.
   */
  private void dropData(Path dir) {
    if (keep) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.filter(f -> {
        String name = f.getFileName().toString();
        return name.endsWith(".rdb") || name.startsWith("appendonly");
      }).sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      console.println("could not delete the data files in " + dir + ": " + e);
    }
  }

  /**
   * Logs for the trials a reader will ask about: failed, anomalous, losing writes acked well
   * before the crash, or taking more than 3 times the median.
   */
  private List<String> diagnostics() {
    List<String> out = new ArrayList<>();
    double haF1 = median(haTrials.stream().filter(t -> t.ok).map(t -> t.f1OutageMs).toList());
    double haF6 = median(haTrials.stream().filter(t -> t.ok).map(t -> t.f6PauseMs).toList());
    double seF1 = median(sentinelTrials.stream().filter(t -> t.ok).map(t -> t.f1OutageMs).toList());
    for (HaTrial t : haTrials) {
      List<String> why = new ArrayList<>();
      if (!t.ok) {
        why.add("failed");
      }
      if (!t.anomalies.isEmpty()) {
        why.add("anomaly");
      }
      if (t.ok && t.f1OutageMs > 3 * haF1) {
        why.add("F1 outage more than 3 times the median");
      }
      if (t.ok && t.f6PauseMs > 3 * haF6) {
        why.add("F6 pause more than 3 times the median");
      }
      if (!why.isEmpty()) {
        out.add(t.label() + ": " + String.join(", ", why) + " (" + t.dir + ")");
        out.addAll(haDiagnostics(t.dir, !t.ok || !t.anomalies.isEmpty()));
        out.add("");
      }
    }
    for (SentinelTrial t : sentinelTrials) {
      List<String> why = new ArrayList<>();
      if (!t.ok) {
        why.add("failed");
      }
      if (t.f1Lost > t.f1LostRecent) {
        why.add("lost writes acked more than 200 ms before the kill");
      }
      if (t.ok && t.f1OutageMs > 3 * seF1) {
        why.add("F1 outage more than 3 times the median");
      }
      if (!why.isEmpty()) {
        out.add(t.label() + ": " + String.join(", ", why) + " (" + t.dir + ")");
        out.addAll(sentinelDiagnostics(t.dir, t.f1Lost > 0));
        out.add("");
      }
    }
    return out;
  }

  private static double median(List<Double> values) {
    return Stats.of(values).map(Stats::median).orElse(Double.NaN);
  }

  private static String reason(Throwable e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    return e instanceof AssertionError ? m : e.getClass().getSimpleName() + ": " + m;
  }

  /**
   * Sends the agents' logback output (they log to standard output) and any thread's stack trace to
   * the trial's log file while the trial runs, so the console shows only results.
   */
  private static final class TrialOutput implements AutoCloseable {
    private final PrintStream savedOut = System.out;
    private final PrintStream savedErr = System.err;
    private final PrintStream file;

    TrialOutput(Path log) {
      try {
        file = new PrintStream(new FileOutputStream(log.toFile(), true), true, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      System.setOut(file);
      System.setErr(file);
    }

    @Override
    public void close() {
      System.setOut(savedOut);
      System.setErr(savedErr);
      file.close();
    }
  }

  /**
   * Samples both Redis servers every 50 ms and records when both answer {@code role:master}. The
   * reads go a, b, a: during a Redis FAILOVER the old master turns replica before the new one is
   * promoted, so three "master" answers mean both were writable masters at the same moment.
   */
  private static final class TwoMasterWatch implements AutoCloseable {
    private final List<Long> seenAt = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger samples = new AtomicInteger();
    private final AtomicLong stopped = new AtomicLong();
    private final Thread thread;

    TwoMasterWatch(TestNode a, TestNode b) {
      thread = new Thread(() -> {
        while (stopped.get() == 0) {
          long at = System.nanoTime();
          if (a.redisIsMaster() && b.redisIsMaster() && a.redisIsMaster()) {
            seenAt.add(at);
          }
          samples.incrementAndGet();
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
      }, "two-master-watch");
      thread.setDaemon(true);
      thread.start();
    }

    List<String> overlaps(long killAt) {
      synchronized (seenAt) {
        if (seenAt.isEmpty()) {
          return List.of();
        }
        return List.of("both Redis servers answered role:master in " + seenAt.size() + " of " + samples.get()
            + " samples, first " + Math.round((seenAt.get(0) - killAt) / 1e6) + " ms after the kill");
      }
    }

    @Override
    public void close() {
      stopped.set(1);
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- figures ----------------------------------------------------------------------------

  /**
   * The write outage of a fault: from the last ack before the first ack by a server other than the
   * failed one, to that first ack; and from the fault itself to that first ack.
   */
  record Outage(double gapMs, double fromFaultMs) {
    static Outage after(List<Writer.Ack> acks, long faultNanos, HostPort failed) {
      for (int k = 1; k < acks.size(); k++) {
        Writer.Ack x = acks.get(k);
        if (x.atNanos() >= faultNanos && !x.server().equals(failed)) {
          return new Outage((x.atNanos() - acks.get(k - 1).atNanos()) / 1e6, (x.atNanos() - faultNanos) / 1e6);
        }
      }
      throw new IllegalStateException("no write was acked by another server after the fault");
    }
  }

  /**
   * How far the replica's processed offset is behind the master's, read replica first and master
   * just after, the moment before the kill; -1 if either does not answer. Writes in this gap are
   * the ones an asynchronous replica would lose if the master died now.
   */
  static long replicaLagBytes(Optional<RedisInfo> replica, Supplier<Optional<RedisInfo>> master) {
    Optional<RedisInfo> m = master.get();
    if (replica.isEmpty() || m.isEmpty()) {
      return -1;
    }
    return m.get().replOffset() - replica.get().replOffset();
  }

  /** The longest time between consecutive acks that end at or after {@code fromNanos}, up to ack {@code lastIndex}. */
  static double longestGapMs(List<Writer.Ack> acks, long fromNanos, int lastIndex) {
    long worst = 0;
    for (int k = 1; k <= Math.min(lastIndex, acks.size() - 1); k++) {
      if (acks.get(k).atNanos() >= fromNanos) {
        worst = Math.max(worst, acks.get(k).atNanos() - acks.get(k - 1).atNanos());
      }
    }
    return worst / 1e6;
  }

  static Map<String, Integer> diff(Map<String, Integer> now, Map<String, Integer> before) {
    Map<String, Integer> d = new TreeMap<>();
    now.forEach((k, v) -> {
      int n = v - before.getOrDefault(k, 0);
      if (n > 0) {
        d.put(k, n);
      }
    });
    return d;
  }

  /** The Writer's error kinds in the report's words. */
  static Map<String, Integer> byKind(Map<String, Integer> raw) {
    Map<String, Integer> out = new TreeMap<>();
    raw.forEach((k, v) -> out.merge(switch (k) {
      case "JedisConnectionException" -> "connection";
      case "no master" -> "no-master";
      default -> k;
    }, v, Integer::sum));
    return out;
  }

  static void addAll(Map<String, Integer> total, Map<String, Integer> more) {
    more.forEach((k, v) -> total.merge(k, v, Integer::sum));
  }

  /** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(1, rank) - 1];
  }

  record Stats(int n, double median, double p90, double p99, double min, double max) {
    static Optional<Stats> of(List<Double> values) {
      if (values.isEmpty()) {
        return Optional.empty();
      }
      double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return Optional.of(new Stats(s.length, percentile(s, 50), percentile(s, 90), percentile(s, 99),
          s[0], s[s.length - 1]));
    }

    String row(String name) {
      return String.format("%-22s %3d %9.1f %9.1f %9.1f %9.1f %9.1f", name, n, median, p90, p99, min, max);
    }
  }

  static final class HaTrial {
    final int n;
    final Path dir;
    boolean ok;
    String failure;
    double f1OutageMs;
    double f1FromKillMs;
    int f1Lost;
    int f1LostRecent;
    int f1LostAfterPromotion;
    long lagBytes = -1;
    Map<String, Integer> f1Errors = Map.of();
    double f6PauseMs;
    int f6Lost;
    Map<String, Integer> f6Errors = Map.of();
    final List<String> anomalies = new ArrayList<>();

    HaTrial(int n, Path dir) {
      this.n = n;
      this.dir = dir;
    }

    String label() {
      return String.format("redis-ha #%02d", n);
    }

    String line() {
      if (!ok) {
        return label() + "  FAILED: " + failure;
      }
      String s = String.format(
          "%s  F1 outage %7.1f ms (kill to first ack %7.1f ms), replica behind %d B at the kill, lost %d"
              + " (acked <=200 ms before the kill %d, after promotion %d), errors %s"
              + " | F6 pause %7.1f ms, lost %d, errors %s",
          label(), f1OutageMs, f1FromKillMs, lagBytes, f1Lost, f1LostRecent, f1LostAfterPromotion, f1Errors,
          f6PauseMs, f6Lost, f6Errors);
      return anomalies.isEmpty() ? s : s + "\n    ANOMALY: " + String.join("; ", anomalies);
    }
  }

  static final class SentinelTrial {
    final int n;
    final Path dir;
    boolean ok;
    String failure;
    double f1OutageMs;
    double f1FromKillMs;
    int f1Lost;
    int f1LostRecent;
    long lagBytes = -1;
    Map<String, Integer> f1Errors = Map.of();

    SentinelTrial(int n, Path dir) {
      this.n = n;
      this.dir = dir;
    }

    String label() {
      return String.format("sentinel #%02d", n);
    }

    String line() {
      if (!ok) {
        return label() + "  FAILED: " + failure;
      }
      String s = String.format("%s  F1 outage %7.1f ms (kill to first ack %7.1f ms), replica behind %d B at the"
              + " kill, lost %d (acked <=200 ms before the kill %d), errors %s",
          label(), f1OutageMs, f1FromKillMs, lagBytes, f1Lost, f1LostRecent, f1Errors);
      return f1Lost == f1LostRecent ? s
          : s + "\n    NOTE: " + (f1Lost - f1LostRecent) + " writes acked more than 200 ms before the kill were lost";
    }
  }

  // ---- report -----------------------------------------------------------------------------

  private String summary() {
    List<HaTrial> ha = haTrials.stream().filter(t -> t.ok).toList();
    List<SentinelTrial> se = sentinelTrials.stream().filter(t -> t.ok).toList();
    StringBuilder s = new StringBuilder();
    s.append("Summary: milliseconds, nearest-rank percentiles over the trials that completed\n");
    s.append(String.format("%-22s %3s %9s %9s %9s %9s %9s%n", "", "n", "median", "p90", "p99", "min", "max"));
    Optional<Stats> haF1 = Stats.of(ha.stream().map(t -> t.f1OutageMs).toList());
    Optional<Stats> haF1k = Stats.of(ha.stream().map(t -> t.f1FromKillMs).toList());
    Optional<Stats> haF6 = Stats.of(ha.stream().map(t -> t.f6PauseMs).toList());
    Optional<Stats> seF1 = Stats.of(se.stream().map(t -> t.f1OutageMs).toList());
    Optional<Stats> seF1k = Stats.of(se.stream().map(t -> t.f1FromKillMs).toList());
    haF1.ifPresent(x -> s.append(x.row("redis-ha F1 outage")).append('\n'));
    haF1k.ifPresent(x -> s.append(x.row("  kill to first ack")).append('\n'));
    haF6.ifPresent(x -> s.append(x.row("redis-ha F6 pause")).append('\n'));
    seF1.ifPresent(x -> s.append(x.row("sentinel F1 outage")).append('\n'));
    seF1k.ifPresent(x -> s.append(x.row("  kill to first ack")).append('\n'));
    if (haF1.isPresent() && seF1.isPresent()) {
      s.append(String.format("Ratio redis-ha / sentinel, F1 outage: median %.3f, p99 %.3f%n",
          haF1.get().median() / seF1.get().median(), haF1.get().p99() / seF1.get().p99()));
    } else if (sentinelSkipped != null) {
      s.append("No ratio: ").append(sentinelSkipped).append('\n');
    } else if (!sentinel) {
      s.append("No ratio: Sentinel was not measured (--no-sentinel)\n");
    }
    Map<String, Integer> haF1Err = new TreeMap<>();
    Map<String, Integer> haF6Err = new TreeMap<>();
    Map<String, Integer> seF1Err = new TreeMap<>();
    ha.forEach(t -> addAll(haF1Err, t.f1Errors));
    ha.forEach(t -> addAll(haF6Err, t.f6Errors));
    se.forEach(t -> addAll(seF1Err, t.f1Errors));
    s.append(String.format("Lost acked writes, redis-ha F1: %d (acked <=200 ms before the kill: %d; acked after"
            + " the promotion: %d); redis-ha F6: %d%n",
        ha.stream().mapToInt(t -> t.f1Lost).sum(), ha.stream().mapToInt(t -> t.f1LostRecent).sum(),
        ha.stream().mapToInt(t -> t.f1LostAfterPromotion).sum(), ha.stream().mapToInt(t -> t.f6Lost).sum()));
    if (!se.isEmpty()) {
      s.append(String.format("Lost acked writes, sentinel F1: %d (acked <=200 ms before the kill: %d)%n",
          se.stream().mapToInt(t -> t.f1Lost).sum(), se.stream().mapToInt(t -> t.f1LostRecent).sum()));
    }
    s.append(String.format("Client errors, redis-ha F1: %d %s; redis-ha F6: %d %s%n",
        sum(haF1Err), haF1Err, sum(haF6Err), haF6Err));
    if (!se.isEmpty()) {
      s.append(String.format("Client errors, sentinel F1: %d %s%n", sum(seF1Err), seF1Err));
    }
    s.append(String.format("Trials completed: redis-ha %d/%d", ha.size(), haTrials.size()));
    if (sentinel) {
      s.append(String.format(", sentinel %d/%d", se.size(), sentinelTrials.size()));
    }
    s.append('\n');
    long anomalous = haTrials.stream().filter(t -> !t.anomalies.isEmpty()).count();
    s.append("Trials with anomalies (lost writes that must not be lost, two masters): ").append(anomalous).append('\n');
    return s.toString();
  }

  private static int sum(Map<String, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }

  private String report(Instant started, String loadBefore, String loadAfter) {
    NodeConfig c = haConfig != null ? haConfig : TestGroup.pair(workDir, RedisMode.MANAGED, x -> x).node("a").config;
    Path binary = RedisBinary.locate(Optional.empty());
    StringBuilder s = new StringBuilder();
    s.append("bench/failover: redis-ha F1 (master Redis SIGKILLed) and F6 (failback), Redis Sentinel F1 as the peer\n\n");
    s.append("Machine and run\n");
    s.append("  date (UTC):        ").append(DateTimeFormatter.ISO_INSTANT.format(started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
        .append(" to ").append(DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))).append('\n');
    s.append("  nproc:             ").append(command("nproc")).append('\n');
    s.append("  cpu:               ").append(cpuModel()).append('\n');
    s.append("  kernel:            ").append(command("uname", "-sr")).append('\n');
    s.append("  load avg before:   ").append(loadBefore).append('\n');
    s.append("  load avg after:    ").append(loadAfter).append('\n');
    s.append("  redis-server:      ").append(binary).append(": ").append(command(binary.toString(), "--version")).append('\n');
    s.append("  java -version:     ").append(command(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
        .replace("\n", "\n                     ")).append('\n');
    s.append("  commit:            ").append(command("git", "rev-parse", "--short", "HEAD"))
        .append(command("git", "status", "--porcelain", "--untracked-files=no").isBlank() ? "" : " (with uncommitted changes)").append('\n');
    s.append("  trials:            ").append(runs).append(sentinel ? " redis-ha, each followed by one Sentinel trial\n" : " redis-ha\n");
    s.append('\n');
    s.append("redis-ha configuration (both nodes, managed mode, loopback)\n");
    s.append(String.format("  advert_interval_ms %d, down_after_adverts %d (down after %d ms), preempt %s, preempt_delay_ms %d%n",
        c.coordination().advertIntervalMs(), c.coordination().downAfterAdverts(),
        c.coordination().advertIntervalMs() * c.coordination().downAfterAdverts(),
        c.coordination().preempt(), c.coordination().preemptDelayMs()));
    s.append(String.format("  health interval_ms %d, timeout_ms %d, failures_before_down %d%n",
        c.health().intervalMs(), c.health().timeoutMs(), c.health().failuresBeforeDown()));
    s.append(String.format("  switchover_timeout_ms %d; persistence on the replica: save \"%s\", appendonly %s%n",
        c.failover().switchoverTimeoutMs(), c.persistence().save(), c.persistence().appendOnly()));
    s.append("  client route: the master named by the agents' status (in process, no discovery delay)\n");
    s.append("Sentinel configuration (one sentinel, plain master/replica pair, loopback)\n");
    s.append(String.format("  down-after-milliseconds %d, failover-timeout %d, quorum 1, parallel-syncs 1%n",
        SENTINEL_DOWN_AFTER_MS, SENTINEL_FAILOVER_TIMEOUT_MS));
    s.append(String.format("  client route: SENTINEL get-master-addr-by-name, cached at most %d ms%n", SENTINEL_ROUTE_REFRESH_MS));
    s.append("Writer: one client, SET w:<n> one at a time, retried until acked; ")
        .append(WARMUP_ACKS).append(" acks before the fault, ").append(ACKS_AFTER).append(" after each recovery\n\n");
    s.append("Trials\n");
    int k = 0;
    for (HaTrial t : haTrials) {
      s.append(t.line()).append('\n');
      if (k < sentinelTrials.size()) {
        s.append(sentinelTrials.get(k).line()).append('\n');
      }
      k++;
    }
    s.append('\n').append(summary());
    s.append("\nDefinitions (see bench/README.md)\n");
    s.append("  F1 outage: last ack before the first ack by the new master, to that first ack.\n");
    s.append("  kill to first ack: from just before SIGKILL to the first ack by the new master.\n");
    s.append("  F6 pause: longest gap between consecutive acks from the moment a's restarted Redis answers as a\n");
    s.append("    replica until 1000 acks after a is master again and b its replica.\n");
    s.append("  replica behind: master_repl_offset of the master minus the replica's, read just before the kill.\n");
    s.append("  lost: acked writes whose value is missing on the final master (a for redis-ha, the promoted\n");
    s.append("    replica for Sentinel). Errors: failed attempts by kind; no-master counts 2 ms retries while\n");
    s.append("    the route names no master, connection counts refused/broken connections (1 ms retry).\n");
    List<String> diagnostics = diagnostics();
    if (!diagnostics.isEmpty()) {
      s.append("\nTrials to look at: failed, anomalous, or more than 3 times the median\n");
      diagnostics.forEach(l -> s.append(l).append('\n'));
    }
    return s.toString();
  }

  private static String command(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor(10, TimeUnit.SECONDS) ? out : out + " (timed out)";
    } catch (IOException e) {
      return "(" + String.join(" ", cmd) + ": " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  private static String cpuModel() {
    return readLines(Path.of("/proc/cpuinfo"), Integer.MAX_VALUE).stream()
        .filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip())
        .findFirst().orElse("unknown");
  }

  private static String firstLine(Path p) {
    List<String> l = readLines(p, Integer.MAX_VALUE);
    return l.isEmpty() ? "unknown" : l.get(0);
  }

  /** The last {@code max} lines of a file, or a note saying why there are none. */
  private static List<String> readLines(Path p, int max) {
    try {
      List<String> all = Files.readAllLines(p, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - max), all.size());
    } catch (IOException | UncheckedIOException e) {
      return List.of("(" + p + ": " + e.getClass().getSimpleName() + ")");
    }
  }

  private static List<String> indent(List<String> lines) {
    return lines.stream().map(l -> "    " + l).toList();
  }

}
