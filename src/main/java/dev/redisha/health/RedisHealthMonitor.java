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
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Probes the local Redis every {@code interval_ms} on its own thread and hands each result to the
 * decision loop. A refused connection is "down" at once (nothing listens: the process is gone); a
 * timeout only after {@code failures_before_down} in a row (a busy server is not a dead one).
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
      RedisInfo parsed = InfoParser.parse(jedis.info());
      Map<String, String> save = jedis.configGet("save");
      Map<String, String> aof = jedis.configGet("appendonly");
      failuresEnd("it answers");
      PersistenceSettings settings =
          new PersistenceSettings(save.getOrDefault("save", ""), "yes".equals(aof.get("appendonly")));
      Optional<UpstreamCheck> upstream = Optional.empty();
      if (!parsed.isMaster() && !parsed.masterLinkUp() && !parsed.masterHost().isEmpty()) {
        upstream = Optional.of(checkUpstream(new HostPort(parsed.masterHost(), parsed.masterPort())));
      }
      return new RedisHealth(
          parsed.loading() ? RedisHealth.Status.LOADING : RedisHealth.Status.UP,
          parsed.loading() ? "loading its dataset" : "",
          Optional.of(parsed),
          settings.persisting(),
          upstream,
          clock.getAsLong(),
          Optional.of(settings));
    } catch (JedisDataException e) {
      dropConnection();
      String msg = String.valueOf(e.getMessage());
      if (msg.startsWith("LOADING")) {
        return new RedisHealth(
            RedisHealth.Status.LOADING, "loading its dataset", Optional.empty(), false, Optional.empty(), clock.getAsLong());
      }
      return down(msg.contains("WRONGPASS") || msg.contains("NOAUTH")
          ? "authentication failed (check redis.password_file / password_env)"
          : "error: " + firstLine(msg));
    } catch (JedisConnectionException e) {
      dropConnection();
      if (isRefused(e)) {
        failuresEnd("connection refused");
        return down("connection refused");
      }
      consecutiveTimeouts++;
      lastFailure = firstLine(e.getMessage());
      if (consecutiveTimeouts >= config.failuresBeforeDown()) {
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

  /** A run of failed probes is over; its length, kept out of the down reason, is logged here. */
  private void failuresEnd(String now) {
    if (consecutiveTimeouts >= config.failuresBeforeDown()) {
      log.info("Redis at {} no longer fails probes after {} in a row ({}): {}", target,
          consecutiveTimeouts, lastFailure, now);
    }
    consecutiveTimeouts = 0;
  }

  private UpstreamCheck checkUpstream(HostPort master) {
    try (Jedis j = connector.connect(master, (int) config.timeoutMs())) {
      RedisInfo info = InfoParser.parse(j.info("replication") + "\n" + j.info("server"));
      return new UpstreamCheck(master, true, info.runId(), info.role(), "");
    } catch (JedisConnectionException e) {
      return new UpstreamCheck(master, false, "", "", isRefused(e) ? "connection refused" : "unreachable: " + firstLine(e.getMessage()));
    } catch (RuntimeException e) {
      // Reachable but not answering normally (LOADING, auth): it is not a usable master.
      return new UpstreamCheck(master, true, "", "", firstLine(e.getMessage()));
    }
  }

  /** Jedis wraps the socket error, sometimes as a suppressed exception of a per-address attempt. */
  static boolean isRefused(Throwable e) {
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    java.util.ArrayDeque<Throwable> pending = new java.util.ArrayDeque<>();
    if (e != null) {
      pending.add(e);
    }
    // Cause and suppressed chains can form cycles; walk them as a graph, each node once.
    while (!pending.isEmpty() && seen.size() < 32) {
      Throwable t = pending.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof ConnectException && String.valueOf(t.getMessage()).contains("refused")) {
        return true;
      }
      if (t.getCause() != null) {
        pending.add(t.getCause());
      }
      pending.addAll(java.util.Arrays.asList(t.getSuppressed()));
    }
    return false;
  }

  private RedisHealth down(String reason) {
    return new RedisHealth(RedisHealth.Status.DOWN, reason, Optional.empty(), false, Optional.empty(), clock.getAsLong());
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
