package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.event.Event;
import dev.redisha.event.EventType;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.InfoParser;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisExitReason;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Supervises the local redis-server in managed mode. A (re)started server always comes up as a
 * replica: of the healthy master if there is one, else of itself ("parked": read-only, holding
 * what it loaded from disk, refusing to serve a sync). It never starts as an empty master
 * (DESIGN rule 1).
 *
 * <p>The agent drives only a server it started or adopted. Before starting one it looks at the
 * port: this node's own server left running by a dead agent is adopted (it holds the node's data
 * and may be the group's master, so it is never shut down for the restart); anything else there
 * is reported and left alone (see {@link PortOccupant}). A start is reported only once the new
 * process itself answers; one that exits is reported with its exit code and the end of
 * {@code redis.log}, once per distinct failure, and retried with back-off. {@link #close} stops
 * what it started or adopted, by PID, and nothing else.
 */
public final class ManagedRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagedRedis.class);
  private static final long FIRST_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 5000;
  /** How long a start may go unanswered before that is reported (it is still waited for). */
  private static final long START_CONFIRM_MS = 2000;
  /**
   * How long the call that starts a server waits for its first answer. Redis answers within a few
   * milliseconds of its exec on most hosts; waiting longer would hold the decision loop, which
   * must meanwhile hear the new master's epoch and hand it the VIP (a crashed master's host kept
   * it for 150-316 ms while the loop waited up to 2 s here). Later calls look again.
   */
  private static final long FIRST_ANSWER_WAIT_MS = 20;

  private final NodeConfig config;
  private final Path binary;
  private final RedisConnector connector;
  private final int probeTimeoutMs;
  private final Consumer<Event> events;
  private final LongSupplier epoch;
  /** The server this agent started or adopted; may have exited since. */
  private RedisServerProcess process;
  /** Its run id once it has answered; empty while a start is unconfirmed. */
  private String runId = "";
  /** When the unconfirmed start began ({@link System#nanoTime}). */
  private long startedAtNanos;
  private boolean slowReported;
  /** Whether the unconfirmed start's exit has been reported. */
  private boolean exitReported;
  private long nextStartAt;
  private long backoffMs = FIRST_BACKOFF_MS;
  private long retryInMs;
  /** The problem last reported, so a retry that fails the same way adds no log line. */
  private String reported = "";
  /** Problems reported or repeated since the last good start, counted in the line that ends them. */
  private int failedAttempts;
  /** Why the last start failed, while no server runs: the probe's "connection refused" says less. */
  private String startFailure = "";

  /** Without an event log: what happens is logged only. */
  public ManagedRedis(NodeConfig config) {
    this(config, e -> {}, () -> 0);
  }

  /**
   * @param events where adoptions, failed starts and foreign servers are recorded
   * @param epoch the epoch the agent knows, for those events
   */
  public ManagedRedis(NodeConfig config, Consumer<Event> events, LongSupplier epoch) {
    this.config = config;
    this.binary = RedisBinary.locate(config.redis().binary());
    this.connector = RedisConnector.of(config.redis());
    this.probeTimeoutMs = (int) Math.max(500, config.health().timeoutMs() * 2);
    this.events = events;
    this.epoch = epoch;
  }

  /**
   * At agent start, before any probe is acted on: takes charge of this node's redis-server if a
   * previous agent left it running. Returns whether it did.
   */
  public synchronized boolean adoptLeftover() {
    if (process != null && process.isAlive()) {
      return false;
    }
    PortOccupant o = inspectPort();
    if (o.kind() == PortOccupant.Kind.OURS) {
      return adopt(o);
    }
    if (o.kind() == PortOccupant.Kind.FOREIGN) {
      reportForeign(o);
    }
    return false;
  }

  /**
   * Starts redis-server if none of this agent's is running; returns the new pid once that
   * process answers, or empty if nothing new is up (none needed, adopted, still starting, failed,
   * or the port is held by something else).
   */
  public synchronized Optional<Long> ensureRunning(Optional<HostPort> follow, long now) {
    if (process != null && process.isAlive()) {
      // A start that did not answer at once is confirmed on a later call (the probes and adverts
      // keep the decision loop calling).
      return runId.isEmpty() && confirmStart(follow, 0) ? Optional.of(process.pid()) : Optional.empty();
    }
    if (process != null && runId.isEmpty() && !exitReported) {
      // The start died before any call saw it answer: as bad a start as one seen dying at once.
      reportExit(EventType.REDIS_START_FAILED, "redis-server exited at once");
      exitReported = true;
    }
    if (now < nextStartAt) {
      return Optional.empty();
    }
    if (process != null && !runId.isEmpty()) {
      reportExit(EventType.REDIS_EXIT, "redis-server pid " + process.pid() + " exited");
      runId = "";
      exitReported = true;
    }
    // A server that keeps dying at start (bad extra_args, port taken) is retried ever more slowly.
    retryInMs = backoffMs;
    nextStartAt = now + retryInMs;
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    PortOccupant o = inspectPort();
    if (o.kind() == PortOccupant.Kind.OURS) {
      adopt(o);
      return Optional.empty();
    }
    if (o.kind() == PortOccupant.Kind.FOREIGN) {
      reportForeign(o);
      return Optional.empty();
    }
    try {
      process = RedisServerProcess.start(binary, launch(follow));
    } catch (UncheckedIOException | IllegalStateException e) {
      report(EventType.REDIS_START_FAILED, "cannot start redis-server " + binary + ": " + e.getMessage(), Map.of());
      return Optional.empty();
    }
    runId = "";
    startedAtNanos = System.nanoTime();
    slowReported = false;
    exitReported = false;
    return confirmStart(follow, FIRST_ANSWER_WAIT_MS) ? Optional.of(process.pid()) : Optional.empty();
  }

  /**
   * Redis reads nothing from anyone during the first busy-reply-threshold of a script (5 s by
   * default): to the agent that is a frozen server, called down after failures_before_down
   * timed-out probes, and failed over. A managed server answers BUSY well before that, so a long
   * script is seen as alive (and killed per health.busy_kill_after_ms) instead. Clients then get
   * BUSY errors during a script longer than the threshold rather than waiting; an operator who
   * prefers otherwise sets busy-reply-threshold in redis.extra_args, which wins.
   */
  static List<String> withBusyReplyThreshold(NodeConfig config) {
    List<String> extra = config.redis().extraArgs();
    if (extra.stream().anyMatch(a -> a.startsWith("--busy-reply-threshold") || a.startsWith("--lua-time-limit"))) {
      return extra;
    }
    long downAfter = (long) Math.max(1, config.health().failuresBeforeDown() - 1) * config.health().timeoutMs();
    // lua-time-limit: Redis 7 keeps it as an alias of busy-reply-threshold, and Redis 6.2 (the
    // embedded binary) knows only this name.
    List<String> args = new ArrayList<>(List.of("--lua-time-limit", Long.toString(Math.max(100, downAfter / 2))));
    args.addAll(extra);
    return args;
  }

  /** Called once the server answers: a healthy start resets the restart back-off. */
  public synchronized void markHealthy() {
    backoffMs = FIRST_BACKOFF_MS;
  }

  /**
   * The probe as the agent may act on it: one answered by any process other than the server
   * this agent started or adopted reads as DOWN, so the agent never promotes, demotes or
   * advertises a Redis it does not run.
   */
  public synchronized RedisHealth ownServerOnly(RedisHealth h) {
    boolean running = process != null && process.isAlive();
    if (h.status() == RedisHealth.Status.DOWN) {
      return running || startFailure.isEmpty() ? h
          : new RedisHealth(RedisHealth.Status.DOWN, startFailure, Optional.empty(), false, h.takenAtMillis());
    }
    String why;
    if (running && !runId.isEmpty() && (h.runId().isEmpty() || h.runId().equals(runId))) {
      return h;
    } else if (running && runId.isEmpty()) {
      why = "redis-server pid " + process.pid() + " has not answered as itself yet";
    } else if (running) {
      why = "the Redis answering on port " + config.redis().address().port() + " (run id " + h.runId()
          + ") is not redis-server pid " + process.pid() + " that this agent runs";
    } else if (process != null && h.runId().equals(runId)) {
      // The probe read our server just before it exited: it is gone, not foreign.
      why = "redis-server pid " + process.pid() + " has exited";
    } else {
      why = "a Redis answers on port " + config.redis().address().port()
          + " but this agent neither started nor adopted it";
    }
    return new RedisHealth(RedisHealth.Status.DOWN, why, Optional.empty(), false, h.takenAtMillis());
  }

  public synchronized Optional<RedisServerProcess> process() {
    return Optional.ofNullable(process);
  }

  public Path binary() {
    return binary;
  }

  /** Stops the server this agent started or adopted: SIGTERM, then SIGKILL after 5 s. */
  @Override
  public synchronized void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    long pid = process.pid();
    String whose = process.adopted() ? "adopted from a previous agent" : "started by this agent";
    log.info("stopping redis-server pid {} ({})", pid, whose);
    long t0 = System.nanoTime();
    process.close();
    record(EventType.REDIS_STOP, "stopped redis-server pid " + pid + " (" + whose + ")",
        Map.of("pid", pid, "stop_ms", (System.nanoTime() - t0) / 1_000_000));
  }

  private PortOccupant inspectPort() {
    return PortOccupant.inspect(connector, config.redis().address(), config.redis().dataDir(), probeTimeoutMs);
  }

  private boolean adopt(PortOccupant o) {
    Optional<RedisServerProcess> p = RedisServerProcess.adopt(o.pid(), launch(Optional.empty()));
    if (p.isEmpty()) {
      // It exited between the check and now; the next call starts a fresh one.
      return false;
    }
    process = p.get();
    runId = o.runId();
    reported = "";
    startFailure = "";
    failedAttempts = 0;
    String cause = "adopted redis-server pid " + o.pid() + " left running by a previous agent";
    log.info("{}: {}", cause, o.description());
    record(EventType.REDIS_ADOPT, cause, Map.of("pid", o.pid(), "run_id", o.runId(), "found", o.description()));
    return true;
  }

  private void reportForeign(PortOccupant o) {
    report(EventType.REDIS_PORT_TAKEN, o.description()
        + ": it is not this node's redis-server, so the agent neither starts one nor drives it", Map.of());
  }

  /**
   * Waits up to {@code waitMs} for the started process itself to answer. Another server
   * answering on the port (the one that made ours fail to bind) does not count: INFO's
   * {@code process_id} must be ours.
   */
  private boolean confirmStart(Optional<HostPort> follow, long waitMs) {
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    String answer = "no answer";
    while (true) {
      if (!process.isAlive()) {
        reportExit(EventType.REDIS_START_FAILED, "redis-server exited at once");
        exitReported = true;
        return false;
      }
      try (Jedis j = connector.connect(config.redis().address(), probeTimeoutMs)) {
        Map<String, String> server = InfoParser.parse(j.info("server")).raw();
        if (Long.toString(process.pid()).equals(server.get("process_id"))) {
          runId = server.getOrDefault("run_id", "");
          break;
        }
        answer = "pid " + server.get("process_id") + " answers on the port";
      } catch (JedisException e) {
        answer = String.valueOf(e.getMessage());
      }
      if (System.nanoTime() - deadline >= 0) {
        if (!slowReported && System.nanoTime() - startedAtNanos >= START_CONFIRM_MS * 1_000_000) {
          slowReported = true;
          report(EventType.REDIS_START_SLOW, "redis-server pid " + process.pid() + " is running but has not answered within "
              + START_CONFIRM_MS + " ms (" + answer + "); waiting for it", Map.of("pid", process.pid()));
        }
        return false;
      }
      LockSupport.parkNanos(10_000_000);
    }
    String after = failedAttempts == 0 ? ""
        : " after " + failedAttempts + " failed attempt(s), the last: " + reported;
    reported = "";
    startFailure = "";
    failedAttempts = 0;
    log.info("started redis-server pid {} ({}) as replica of {}{}", process.pid(), binary,
        follow.map(HostPort::toString).orElse("itself (parked until a master is known)"), after);
    return true;
  }

  private void reportExit(EventType type, String what) {
    OptionalInt code = process.exitCode();
    List<String> lines = process.lastLogLines(30);
    String reason = lines.isEmpty() ? "redis.log is empty" : RedisExitReason.of(lines, process.launch());
    // Redis echoes a rejected config line (">>> 'line'"); one the agent wrote may hold the password.
    List<String> tail = RedisExitReason.withoutSecrets(lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("pid", process.pid());
    code.ifPresent(c -> fields.put("exit_code", c));
    fields.put("log_tail", String.join("\n", tail));
    // Java reports a process ended by signal N as exit code 128 + N.
    String how = code.isEmpty() ? "code unknown"
        : code.getAsInt() > 128 ? "code " + code.getAsInt() + ", signal " + (code.getAsInt() - 128)
        : "code " + code.getAsInt();
    String cause = what + " (" + how + "): " + reason;
    if (type == EventType.REDIS_START_FAILED) {
      startFailure = cause;
    }
    report(type, cause, fields);
  }

  /** Logs and records a problem once; the same problem again (a retry) stays quiet. */
  private void report(EventType type, String cause, Map<String, Object> fields) {
    failedAttempts++;
    if (cause.equals(reported)) {
      return;
    }
    reported = cause;
    log.warn("{}", cause);
    Map<String, Object> all = new LinkedHashMap<>(fields);
    all.put("retry_in_ms", retryInMs);
    record(type, cause, all);
  }

  private void record(EventType type, String cause, Map<String, Object> fields) {
    events.accept(new Event(Instant.now(), config.nodeId(), type, cause, epoch.getAsLong(), fields));
  }

  private RedisLaunch launch(Optional<HostPort> follow) {
    // Clients reach the master through the VIP too, an address this host only holds while master.
    HostPort listen = config.endpoints().vip().isPresent()
        ? new HostPort("0.0.0.0", config.redis().address().port())
        : config.redis().address();
    return new RedisLaunch(
        listen,
        config.redis().dataDir(),
        config.redis().password(),
        Optional.of(follow.orElse(config.redis().announce())),
        Optional.of(config.persistence()),
        withBusyReplyThreshold(config),
        config.redis().user(),
        config.redis().tls());
  }
}
