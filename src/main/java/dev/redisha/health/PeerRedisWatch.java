package dev.redisha.health;

import dev.redisha.config.HealthConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.PeerConfig;
import dev.redisha.redis.InfoParser;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Probes every configured peer's Redis directly, all the time, each on its own thread, so that the
 * decision loop always has this node's own evidence about the other servers (DESIGN §4): a master
 * whose agent is silent but whose Redis answers is not failed over, a takeover never waits for a
 * second timeout to learn what the probes already know, and no node promotes itself past a peer's
 * Redis that still answers as master.
 *
 * <p>The connection is kept open between probes (one INFO per interval, no connect cost), and a
 * probe whose connection broke reconnects at once, so a crashed server shows as refused within
 * one probe rather than after a timeout.
 */
public final class PeerRedisWatch implements AutoCloseable {
  private final Map<String, Prober> probers = new LinkedHashMap<>();
  private final Map<String, PeerRedisProbe> latest = new ConcurrentHashMap<>();
  private final Runnable onChange;
  private final LongSupplier clock;

  /**
   * @param onChange called (on a probe thread) when a peer's probe outcome, role or run id changes,
   *     so the decision loop looks again without waiting for its tick
   * @param clock monotonic milliseconds
   */
  public PeerRedisWatch(
      RedisConnector connector, List<PeerConfig> peers, HealthConfig health, Runnable onChange, LongSupplier clock) {
    this.onChange = onChange;
    this.clock = clock;
    for (PeerConfig p : peers) {
      latest.put(p.nodeId(), PeerRedisProbe.unknown(p.nodeId(), p.redis(), clock.getAsLong()));
      probers.put(p.nodeId(), new Prober(p.nodeId(), p.redis(), connector, health));
    }
  }

  public void start() {
    probers.values().forEach(p -> p.thread.start());
  }

  /** The newest probe of every configured peer's Redis. */
  public Map<String, PeerRedisProbe> latest() {
    return Map.copyOf(latest);
  }

  /** Probes that peer again now (a FAULT advert or a silence just arrived). */
  public void requestProbe(String nodeId) {
    Prober p = probers.get(nodeId);
    if (p != null) {
      p.requested = true;
      LockSupport.unpark(p.thread);
    }
  }

  @Override
  public void close() {
    probers.values().forEach(Prober::stop);
  }

  private final class Prober {
    private final String nodeId;
    private final HostPort target;
    private final RedisConnector connector;
    private final HealthConfig health;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean requested;
    private Jedis jedis;

    Prober(String nodeId, HostPort target, RedisConnector connector, HealthConfig health) {
      this.nodeId = nodeId;
      this.target = target;
      this.connector = connector;
      this.health = health;
      this.thread = new Thread(this::run, "peer-redis-" + nodeId);
      this.thread.setDaemon(true);
    }

    private void run() {
      while (running) {
        long started = System.nanoTime();
        try {
          record(probeOnce());
        } catch (RuntimeException e) {
          // A bug in one probe must not silence the watch: the last answer would stand forever.
          drop();
          record(failed(PeerRedisProbe.Outcome.ERROR, "probe failed: " + firstLine(e.getMessage())));
        }
        long until = started + health.intervalMs() * 1_000_000;
        while (running && !requested && System.nanoTime() < until) {
          LockSupport.parkNanos(this, until - System.nanoTime());
        }
        requested = false;
      }
      drop();
    }

    private PeerRedisProbe probeOnce() {
      try {
        return answered(info());
      } catch (JedisConnectionException first) {
        drop();
        if (RedisHealthMonitor.isRefused(first)) {
          return failed(PeerRedisProbe.Outcome.REFUSED, "connection refused");
        }
        if (timedOut(first)) {
          // A full timeout without a byte is the answer itself; a second try now would only
          // double the time a lost host takes to count as unreachable.
          return failed(PeerRedisProbe.Outcome.NO_ANSWER, firstLine(first.getMessage()));
        }
        // A kept connection that broke (server restarted, connection killed) says nothing about
        // the server now: ask once more on a fresh connection for a definite answer.
        try {
          return answered(info());
        } catch (JedisConnectionException again) {
          drop();
          return RedisHealthMonitor.isRefused(again)
              ? failed(PeerRedisProbe.Outcome.REFUSED, "connection refused")
              : failed(PeerRedisProbe.Outcome.NO_ANSWER, firstLine(again.getMessage()));
        } catch (JedisDataException e) {
          return replied(e);
        }
      } catch (JedisDataException e) {
        return replied(e);
      }
    }

    private RedisInfo info() {
      if (jedis == null) {
        jedis = connector.connect(target, (int) health.timeoutMs());
      }
      return InfoParser.parse(jedis.info());
    }

    private PeerRedisProbe answered(RedisInfo info) {
      long now = clock.getAsLong();
      PeerRedisProbe.Outcome outcome = info.loading() ? PeerRedisProbe.Outcome.LOADING : PeerRedisProbe.Outcome.ANSWERS;
      return new PeerRedisProbe(nodeId, target, outcome, Optional.of(info), 0, now, -1, now, "");
    }

    /** It answered, with an error: alive, whatever the error says. */
    private PeerRedisProbe replied(JedisDataException e) {
      String msg = String.valueOf(e.getMessage());
      long now = clock.getAsLong();
      PeerRedisProbe prev = latest.get(nodeId);
      if (msg.startsWith("BUSY")) {
        long since = prev.outcome() == PeerRedisProbe.Outcome.BUSY ? prev.busySinceMillis() : now;
        return new PeerRedisProbe(nodeId, target, PeerRedisProbe.Outcome.BUSY, prev.info(), 0, now, since, now,
            firstLine(msg));
      }
      PeerRedisProbe.Outcome outcome = msg.startsWith("LOADING") ? PeerRedisProbe.Outcome.LOADING : PeerRedisProbe.Outcome.ERROR;
      if (outcome == PeerRedisProbe.Outcome.ERROR) {
        drop();
      }
      return new PeerRedisProbe(nodeId, target, outcome, prev.info(), 0, now, -1, now, firstLine(msg));
    }

    private PeerRedisProbe failed(PeerRedisProbe.Outcome outcome, String detail) {
      PeerRedisProbe prev = latest.get(nodeId);
      int failures = prev.outcome() == PeerRedisProbe.Outcome.NO_ANSWER || prev.outcome() == PeerRedisProbe.Outcome.REFUSED
          ? prev.failuresInRow() + 1 : 1;
      return new PeerRedisProbe(nodeId, target, outcome, prev.info(), failures, prev.lastAnswerAtMillis(), -1,
          clock.getAsLong(), detail);
    }

    private void record(PeerRedisProbe next) {
      PeerRedisProbe prev = latest.put(nodeId, next);
      if (prev == null || prev.outcome() != next.outcome() || prev.failuresInRow() != next.failuresInRow()
          || !prev.runId().equals(next.runId())
          || prev.answersAsMaster() != next.answersAsMaster()) {
        onChange.run();
      }
    }

    private void drop() {
      if (jedis != null) {
        try {
          jedis.close();
        } catch (RuntimeException ignored) {
          // already broken
        }
        jedis = null;
      }
    }

    void stop() {
      running = false;
      thread.interrupt();
      LockSupport.unpark(thread);
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static boolean timedOut(Throwable e) {
    return ExceptionChain.anyMatch(e, t -> t instanceof java.net.SocketTimeoutException);
  }


  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
