package dev.redisha.it;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.redis.RedisConnector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A client that writes {@code w:<n>} keys one at a time to wherever {@code route} says the master
 * is, and records every acknowledged write with its time. A write that failed is retried with the
 * same key and value (idempotent), so "acked" means exactly what the application was told.
 * Bounded in count and time. It behaves like a client behind an endpoint (DESIGN §5): when the
 * master changes, its connection to the old master is closed, so a reply still in flight from a
 * demoted server is never taken as an acknowledgement.
 */
public final class Writer implements AutoCloseable {
  /** One acknowledged write. */
  public record Ack(int n, long atNanos, HostPort server) {}

  private final Supplier<Optional<HostPort>> route;
  private final RedisConnector connector;
  private final int maxWrites;
  private final int timeoutMs;
  private final long deadlineNanos;
  private final List<Ack> acks = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
  private final Thread thread;
  private final Thread routeWatch;
  private volatile boolean stop;
  private volatile Jedis current;
  private volatile HostPort currentTarget;
  private volatile long routeGeneration;

  public Writer(Supplier<Optional<HostPort>> route, Optional<Secret> password, int maxWrites, long maxMillis) {
    this(route, password, maxWrites, maxMillis, 500);
  }

  /** @param timeoutMs the client's connect and read timeout (Jedis' own default is 2000) */
  public Writer(Supplier<Optional<HostPort>> route, Optional<Secret> password, int maxWrites, long maxMillis,
      int timeoutMs) {
    this(route, new RedisConnector(Optional.empty(), password, Optional.empty()), maxWrites, maxMillis, timeoutMs);
  }

  /** A client that authenticates (user, password, TLS) as {@code connector} does. */
  public Writer(Supplier<Optional<HostPort>> route, RedisConnector connector, int maxWrites, long maxMillis,
      int timeoutMs) {
    this.timeoutMs = timeoutMs;
    this.route = route;
    this.connector = connector;
    this.maxWrites = maxWrites;
    this.deadlineNanos = System.nanoTime() + maxMillis * 1_000_000;
    this.thread = new Thread(this::run, "test-writer");
    thread.setDaemon(true);
    thread.start();
    this.routeWatch = new Thread(this::watchRoute, "test-writer-route");
    routeWatch.setDaemon(true);
    routeWatch.start();
  }

  /**
   * Does what an endpoint does on a master change (DESIGN §5): closes the connection to the old
   * master, so a request still in flight there is never acknowledged to the client.
   */
  private void watchRoute() {
    while (!stop && System.nanoTime() < deadlineNanos) {
      Jedis j = current;
      HostPort t = currentTarget;
      Optional<HostPort> now = route.get();
      if (t != null && now.isPresent() && !now.get().equals(t)) {
        routeGeneration++;
        currentTarget = null;
        if (j != null) {
          try {
            j.getConnection().disconnect();
          } catch (RuntimeException ignored) {
            // already closed by the writer
          }
        }
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  private void run() {
    Jedis jedis = null;
    HostPort connectedTo = null;
    int n = 0;
    while (!stop && n < maxWrites && System.nanoTime() < deadlineNanos) {
      Optional<HostPort> target = route.get();
      if (target.isEmpty()) {
        count("no master");
        LockSupport.parkNanos(2_000_000);
        continue;
      }
      try {
        if (jedis == null || !target.get().equals(connectedTo)) {
          if (jedis != null) {
            jedis.close();
          }
          jedis = null;
          current = null;
          // Known to the route watcher before the connection exists, like a proxy's backend.
          currentTarget = target.get();
          connectedTo = target.get();
          jedis = connector.connect(target.get(), timeoutMs);
          current = jedis;
        }
        long generation = routeGeneration;
        jedis.set("w:" + n, "v" + n);
        if (generation != routeGeneration || currentTarget == null) {
          // The endpoint closed this client's connection when the master changed: the reply
          // never reaches the application, so the write is not acknowledged.
          count("closed on master change");
          jedis.close();
          jedis = null;
          connectedTo = null;
          continue;
        }
        acks.add(new Ack(n, System.nanoTime(), connectedTo));
        n++;
      } catch (JedisException e) {
        String m = String.valueOf(e.getMessage());
        count(m.startsWith("READONLY") ? "READONLY" : e.getClass().getSimpleName());
        if (jedis != null) {
          jedis.close();
        }
        jedis = null;
        LockSupport.parkNanos(1_000_000);
      }
    }
    if (jedis != null) {
      jedis.close();
    }
  }

  private void count(String kind) {
    errors.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
  }

  /** The server the writer's open connection goes to, if any. */
  public Optional<HostPort> connectedTo() {
    Jedis j = current;
    return j != null && j.isConnected() ? Optional.ofNullable(currentTarget) : Optional.empty();
  }

  public int acked() {
    return acks.size();
  }

  public List<Ack> acks() {
    synchronized (acks) {
      return List.copyOf(acks);
    }
  }

  public Map<String, Integer> errors() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public int errorCount() {
    return errors.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** The longest time between two consecutive acks after {@code fromNanos}, in ms. */
  public double longestGapMsAfter(long fromNanos) {
    List<Ack> a = acks();
    long worst = 0;
    long prev = -1;
    for (Ack ack : a) {
      if (prev >= 0 && ack.atNanos() >= fromNanos) {
        worst = Math.max(worst, ack.atNanos() - prev);
      }
      prev = ack.atNanos();
    }
    return worst / 1e6;
  }

  /** Acked writes missing from {@code server}. */
  public List<Ack> missingOn(HostPort server) {
    List<Ack> all = acks();
    List<Ack> missing = new ArrayList<>();
    try (Jedis j = connector.connect(server, 2000)) {
      for (int i = 0; i < all.size(); i += 500) {
        List<Ack> batch = all.subList(i, Math.min(all.size(), i + 500));
        List<String> values = j.mget(batch.stream().map(x -> "w:" + x.n()).toArray(String[]::new));
        for (int k = 0; k < batch.size(); k++) {
          if (!("v" + batch.get(k).n()).equals(values.get(k))) {
            missing.add(batch.get(k));
          }
        }
      }
    }
    return missing;
  }

  @Override
  public void close() {
    stop = true;
    try {
      thread.join(5000);
      routeWatch.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
