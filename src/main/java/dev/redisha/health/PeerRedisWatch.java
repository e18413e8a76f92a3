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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * <p>The connection is kept open between probes (one INFO per interval, no connect cost) and
 * watched while idle: a server that dies closes it, and the watch probes again at once, so a
 * crashed server shows as refused within a round trip of its death rather than at the next
 * interval. A probe whose connection broke reconnects at once, so a crash is never taken for a
 * timeout. Between probes the thread sleeps in one selector wait until the next probe is due,
 * woken early only by the connection (its end) or by {@link #requestProbe}: an idle watch costs
 * one wake-up per interval, not one per polling slice.
 */
public final class PeerRedisWatch implements AutoCloseable {
  /**
   * A probe without an answer after this long starts a bare TCP handshake beside it. A healthy
   * server on the same network answers well before; most probes start none.
   */
  private static final long HANDSHAKE_AFTER_MS = 20;

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
      p.wake();
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
    /** Runs the handshake beside a probe that is late. */
    private final ScheduledThreadPoolExecutor handshakes;
    private volatile boolean running = true;
    private volatile boolean requested;
    private Jedis jedis;
    /** The kept connection's channel (plain TCP), watched between probes; null with TLS or none. */
    private java.nio.channels.SocketChannel channel;
    /** Waits on {@link #channel} between probes; {@link #wake} ends the wait from another thread. */
    private final java.nio.channels.Selector idle;

    Prober(String nodeId, HostPort target, RedisConnector connector, HealthConfig health) {
      this.nodeId = nodeId;
      this.target = target;
      this.connector = connector;
      this.health = health;
      this.thread = new Thread(this::run, "peer-redis-" + nodeId);
      this.thread.setDaemon(true);
      ScheduledThreadPoolExecutor h = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "peer-handshake-" + nodeId);
        t.setDaemon(true);
        return t;
      });
      h.setRemoveOnCancelPolicy(true);
      this.handshakes = h;
      try {
        this.idle = java.nio.channels.Selector.open();
      } catch (java.io.IOException e) {
        h.shutdownNow();
        throw new java.io.UncheckedIOException("cannot open a selector to watch " + target, e);
      }
    }

    /** Ends the wait between probes: the selector's (kept connection) or the park (none, TLS). */
    void wake() {
      idle.wakeup();
      LockSupport.unpark(thread);
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
        while (running && !requested) {
          long left = until - System.nanoTime();
          if (left <= 0) {
            break;
          }
          if (channel == null) {
            LockSupport.parkNanos(this, left);
          } else if (!quietFor(left)) {
            // The server closed the kept connection (a crash closes it at once): ask again now
            // rather than at the next interval; the answer (refused, or a restarted server) is
            // the evidence, the closed connection itself is none.
            break;
          }
        }
        requested = false;
      }
      drop();
    }

    private PeerRedisProbe probeOnce() {
      // A probe that is late starts a bare TCP handshake beside it, so that a probe that times out
      // also tells whether the host answers at all (see Outcome.UNREACHABLE) without a second
      // timeout in a row.
      ScheduledFuture<Boolean> handshake = handshakes.schedule(this::handshakeAnswered, HANDSHAKE_AFTER_MS,
          TimeUnit.MILLISECONDS);
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
          return noAnswer(handshake, first);
        }
        // A kept connection that broke (server restarted, connection killed) says nothing about
        // the server now: ask once more on a fresh connection for a definite answer.
        try {
          return answered(info());
        } catch (JedisConnectionException again) {
          drop();
          return RedisHealthMonitor.isRefused(again)
              ? failed(PeerRedisProbe.Outcome.REFUSED, "connection refused")
              : noAnswer(handshake, again);
        } catch (JedisDataException e) {
          return replied(e);
        }
      } catch (JedisDataException e) {
        return replied(e);
      } finally {
        handshake.cancel(false);
      }
    }

    /**
     * No answer: UNREACHABLE when the handshake started beside the probe did not complete either,
     * else (it completed, was refused, or its result is not known in time) NO_ANSWER.
     */
    private PeerRedisProbe noAnswer(ScheduledFuture<Boolean> handshake, JedisConnectionException e) {
      boolean hostAnswered;
      try {
        hostAnswered = handshake.get(health.timeoutMs() + HANDSHAKE_AFTER_MS + 50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        hostAnswered = true;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
          | java.util.concurrent.CancellationException unknown) {
        // Not known: no evidence beyond the missed answer.
        hostAnswered = true;
      }
      return failed(hostAnswered ? PeerRedisProbe.Outcome.NO_ANSWER : PeerRedisProbe.Outcome.UNREACHABLE,
          firstLine(e.getMessage()));
    }

    /**
     * Whether the host completes a TCP handshake on the Redis port within the probe timeout, or
     * refuses it (its kernel answers either way). A frozen or starved Redis's kernel still
     * completes it; a starved agent thread does not fake a failure, because a connect that
     * completed while it waited is seen as complete when it wakes.
     */
    private boolean handshakeAnswered() {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(target.host(), target.port()), (int) health.timeoutMs());
        return true;
      } catch (java.net.ConnectException refused) {
        return true;
      } catch (java.io.IOException | RuntimeException e) {
        return false;
      }
    }

    private RedisInfo info() {
      if (jedis == null) {
        RedisConnector.Watched w = connector.connectWatched(target, (int) health.timeoutMs());
        jedis = w.jedis();
        channel = w.channel();
      }
      return InfoParser.parse(jedis.info());
    }

    /**
     * Waits on the idle kept connection for at most {@code nanos}: nothing is expected on it
     * between probes, so anything that arrives (the end of the stream above all) ends the wait, as
     * does {@link #wake}. The channel is non-blocking only for the wait, registered with the
     * selector, and back in blocking mode for the client's next command.
     *
     * @return true if it stayed quiet (the time ran out or the wait was woken); false if something
     *     arrived or it broke (then it is dropped)
     */
    private boolean quietFor(long nanos) {
      java.nio.channels.SocketChannel ch = channel;
      try {
        ch.configureBlocking(false);
        java.nio.channels.SelectionKey key = ch.register(idle, java.nio.channels.SelectionKey.OP_READ);
        idle.select(Math.max(1, (nanos + 999_999) / 1_000_000));
        boolean arrived = idle.selectedKeys().remove(key);
        key.cancel();
        // Flushes the cancelled key: a channel still registered cannot go back to blocking mode.
        idle.selectNow();
        if (arrived) {
          drop();
          return false;
        }
        ch.configureBlocking(true);
        return true;
      } catch (java.io.IOException | RuntimeException e) {
        drop();
        return false;
      }
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
          || prev.outcome() == PeerRedisProbe.Outcome.UNREACHABLE
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
        channel = null;
      }
    }

    void stop() {
      running = false;
      handshakes.shutdownNow();
      thread.interrupt();
      wake();
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        idle.close();
      } catch (java.io.IOException ignored) {
        // nothing left to wait on
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
