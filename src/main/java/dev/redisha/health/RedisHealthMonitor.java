package dev.redisha.health;

import dev.redisha.config.HealthConfig;
import dev.redisha.config.HostPort;
import dev.redisha.redis.InfoParser;
import dev.redisha.redis.PersistenceSettings;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisInfo;
import java.net.ConnectException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Probes the local Redis every {@code interval_ms} on its own thread and hands each result to the
 * decision loop. A refused connection is "down" at once (nothing listens: the process is gone); a
 * timeout only after {@code failures_before_down} in a row (a busy server is not a dead one).
 *
 * <p>A {@code BUSY} reply is alive: Redis is running a script or function past its {@code
 * busy-reply-threshold} and answers only {@code SCRIPT KILL}, {@code FUNCTION KILL}, {@code
 * SHUTDOWN NOSAVE} (and AUTH/HELLO); INFO, PING, ROLE, CLIENT and CONFIG all get BUSY (checked
 * on Redis 7.0). Such a probe reports BUSY with the INFO from before the script, since a script
 * changes neither the role nor what the server is. Before the threshold Redis reads nothing at
 * all, exactly like a frozen process, and the probes time out: hence the warning below when the
 * threshold outlasts the time the agent takes to call Redis down.
 */
public final class RedisHealthMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisHealthMonitor.class);

  private final RedisConnector connector;
  private final HostPort target;
  private final HealthConfig config;
  private final Consumer<RedisHealth> sink;
  private final LongSupplier clock;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean probeRequested;
  private Jedis jedis;
  private int consecutiveTimeouts;
  private String lastFailure = "";
  private RedisHealth last;
  /** The INFO of the last answering probe: what a BUSY Redis is, as far as anyone can know. */
  private Optional<RedisInfo> lastInfo = Optional.empty();
  private boolean lastPersisting;
  private String thresholdCheckedFor = "";
  private volatile java.util.function.ObjLongConsumer<RedisHealth> probeTimes = (h, nanos) -> { };

  public RedisHealthMonitor(
      RedisConnector connector,
      HostPort target,
      HealthConfig config,
      Consumer<RedisHealth> sink,
      LongSupplier clock) {
    this.connector = connector;
    this.target = target;
    this.config = config;
    this.sink = sink;
    this.clock = clock;
    this.last = RedisHealth.unknown(clock.getAsLong());
    this.thread = new Thread(this::run, "redis-health");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Hands each probe's result and duration (ns) to {@code listener} (the probe latency metric). */
  public void onProbe(java.util.function.ObjLongConsumer<RedisHealth> listener) {
    this.probeTimes = listener;
  }

  /** Probes again now rather than at the end of the interval. */
  public void requestProbe() {
    probeRequested = true;
    java.util.concurrent.locks.LockSupport.unpark(thread);
  }

  private void run() {
    while (running) {
      long started = System.nanoTime();
      try {
        RedisHealth h = probeOnce();
        probeTimes.accept(h, System.nanoTime() - started);
        last = h;
        sink.accept(h);
      } catch (RuntimeException | StackOverflowError e) {
        // The monitor must outlive any bug: a dead monitor would freeze the last "up" forever.
        log.error("health probe failed unexpectedly", e);
        dropConnection();
      }
      // The probe period; requestProbe() cuts it short after the controller changed Redis, so
      // the change is seen (and advertised) in a millisecond instead of up to one interval.
      long until = started + config.intervalMs() * 1_000_000;
      while (running && !probeRequested && System.nanoTime() < until) {
        java.util.concurrent.locks.LockSupport.parkNanos(this, until - System.nanoTime());
      }
      probeRequested = false;
    }
  }

  RedisHealth probeOnce() {
    int timeout = (int) config.timeoutMs();
    try {
      if (jedis == null) {
        jedis = connector.connect(target, timeout);
      }
      // One round trip for the three commands: the probe thread wakes once per probe, not three
      // times. The replies are read in order, so an error (BUSY, LOADING, NOAUTH) is the INFO's,
      // thrown as before.
      Pipeline p = new Pipeline(jedis.getConnection());
      Response<String> infoReply = p.appendCommand(new CommandObject<>(
          new CommandArguments(Protocol.Command.INFO), BuilderFactory.STRING));
      Response<Map<String, String>> saveReply = p.appendCommand(configGet("save"));
      Response<Map<String, String>> aofReply = p.appendCommand(configGet("appendonly"));
      p.sync();
      RedisInfo parsed = InfoParser.parse(infoReply.get());
      Map<String, String> save = saveReply.get();
      Map<String, String> aof = aofReply.get();
      failuresEnd("it answers");
      PersistenceSettings settings =
          new PersistenceSettings(save.getOrDefault("save", ""), "yes".equals(aof.get("appendonly")));
      lastInfo = parsed.loading() ? Optional.empty() : Optional.of(parsed);
      lastPersisting = settings.persisting();
      if (!parsed.runId().equals(thresholdCheckedFor)) {
        thresholdCheckedFor = parsed.runId();
        warnIfBusyThresholdTooLong(jedis);
      }
      return new RedisHealth(
          parsed.loading() ? RedisHealth.Status.LOADING : RedisHealth.Status.UP,
          parsed.loading() ? "loading its dataset" : "",
          Optional.of(parsed),
          settings.persisting(),
          clock.getAsLong(),
          Optional.of(settings));
    } catch (JedisBusyException e) {
      // The reply was read whole: the connection is fine and the next probe reuses it.
      consecutiveTimeouts = 0;
      return busy(firstLine(e.getMessage()));
    } catch (JedisDataException e) {
      dropConnection();
      lastInfo = Optional.empty();
      String msg = String.valueOf(e.getMessage());
      if (msg.startsWith("LOADING")) {
        return new RedisHealth(
            RedisHealth.Status.LOADING, "loading its dataset", Optional.empty(), false, clock.getAsLong());
      }
      return down(msg.contains("WRONGPASS") || msg.contains("NOAUTH")
          ? "authentication failed (check redis.password_file / password_env)"
          : "error: " + firstLine(msg));
    } catch (JedisConnectionException e) {
      dropConnection();
      if (isRefused(e)) {
        failuresEnd("connection refused");
        lastInfo = Optional.empty();
        return down("connection refused");
      }
      consecutiveTimeouts++;
      lastFailure = firstLine(e.getMessage());
      if (consecutiveTimeouts >= config.failuresBeforeDown()) {
        lastInfo = Optional.empty();
        // The same text for as long as it lasts: the decision loop logs a reason once per change,
        // and a count in it made every probe a change. The count is logged on recovery.
        return down("probes fail (" + config.failuresBeforeDown() + " or more in a row): " + lastFailure);
      }
      // Not yet down: report the last good view so one slow probe does not move the role.
      return last;
    } catch (RuntimeException e) {
      dropConnection();
      return down("probe failed: " + firstLine(e.getMessage()));
    }
  }

  /** CONFIG GET as {@link Jedis#configGet(String)} sends and reads it, for a pipeline. */
  private static CommandObject<Map<String, String>> configGet(String parameter) {
    return new CommandObject<>(new CommandArguments(Protocol.Command.CONFIG).add(Protocol.Keyword.GET.name())
        .add(parameter), BuilderFactory.STRING_MAP);
  }

  /** A run of failed probes is over; its length, kept out of the down reason, is logged here. */
  private void failuresEnd(String now) {
    if (consecutiveTimeouts >= config.failuresBeforeDown()) {
      log.info("Redis at {} no longer fails probes after {} in a row ({}): {}", target,
          consecutiveTimeouts, lastFailure, now);
    }
    consecutiveTimeouts = 0;
  }

  /** The controller's busy policy records the change as an event (and its one log line). */
  private RedisHealth busy(String reply) {
    long now = clock.getAsLong();
    long since = last.busy() ? last.busySinceMillis() : now;
    String reason = lastInfo.isPresent()
        ? "busy running a script or function (it answers \"" + reply + "\")"
        : "busy running a script or function since before the agent saw it answer INFO, so its role and data"
            + " are unknown (it answers \"" + reply + "\")";
    return new RedisHealth(RedisHealth.Status.BUSY, reason, lastInfo, lastPersisting, now, since);
  }

  /**
   * Redis answers nothing for its first {@code busy-reply-threshold} of a script; longer than
   * the agent waits before calling it down, a long script is handled as a frozen server (FAULT,
   * failover) instead of as BUSY.
   */
  private void warnIfBusyThresholdTooLong(Jedis j) {
    long downAfter = (long) Math.max(1, config.failuresBeforeDown() - 1) * config.timeoutMs();
    try {
      Map<String, String> reply = j.configGet("busy-reply-threshold");
      long threshold = Long.parseLong(reply.getOrDefault("busy-reply-threshold", "0"));
      if (threshold >= downAfter) {
        log.warn("my Redis has busy-reply-threshold {} ms: a script or function running longer than about {} ms"
            + " (health.failures_before_down - 1 probes of health.timeout_ms) makes it look frozen and is failed"
            + " over instead of answered BUSY; set busy-reply-threshold below {} ms (docs/operations.md,"
            + " \"Long scripts (BUSY)\")", threshold, downAfter, downAfter);
      }
    } catch (NumberFormatException | JedisDataException e) {
      // An unexpected CONFIG reply (or a script that began just now) changes nothing the agent
      // does; only the advice is lost, and a BUSY shows in the next probe.
    }
  }

  /** Jedis wraps the socket error, sometimes as a suppressed exception of a per-address attempt. */
  public static boolean isRefused(Throwable e) {
    return ExceptionChain.anyMatch(e, t -> t instanceof ConnectException && String.valueOf(t.getMessage()).contains("refused"));
  }


  private RedisHealth down(String reason) {
    return new RedisHealth(RedisHealth.Status.DOWN, reason, Optional.empty(), false, clock.getAsLong());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private void dropConnection() {
    if (jedis != null) {
      try {
        jedis.close();
      } catch (RuntimeException ignored) {
        // already broken
      }
      jedis = null;
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dropConnection();
  }
}
