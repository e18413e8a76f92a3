package dev.redisha.demo;

import dev.redisha.config.HostPort;
import dev.redisha.redis.RedisConnector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The demo's application: writes through the endpoint and remembers every write Redis
 * acknowledged, so the end of the demo can read them all back. Writes go one at a time, retried
 * on error (the seed's test data is idempotent), and the longest silence between two
 * acknowledgements is the outage a client saw.
 */
final class DemoClient implements AutoCloseable {
  private final RedisConnector connector;
  private final HostPort endpoint;
  private final Map<String, String> acked = new LinkedHashMap<>();
  private final AtomicLong errors = new AtomicLong();
  private Jedis jedis;
  private long lastAckNanos;
  private long longestGapNanos;

  DemoClient(RedisConnector connector, HostPort endpoint) {
    this.connector = connector;
    this.endpoint = endpoint;
  }

  /** The seed's five keys for one VM id, into db 1. */
  void writeVm(int id) {
    String name = "vm-" + id;
    set("vm_instance:" + id + ":instance_name", name);
    set("vm_instance:" + id + ":uuid", java.util.UUID.nameUUIDFromBytes(name.getBytes()).toString());
    set("vm_instance:" + id + ":private_ip_address", "10." + (id >> 16 & 255) + "." + (id >> 8 & 255) + "." + (id & 255));
    set("vm_instance:" + id + ":created", Long.toString(1_350_000_000L + id));
    set("vm_instance:" + name + ":id", Integer.toString(id));
  }

  /** Retries until acknowledged or {@code deadlineNanos}; returns whether it was acknowledged. */
  boolean set(String key, String value) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        if (jedis == null) {
          jedis = connector.connect(endpoint, 1000);
          jedis.select(1);
        }
        jedis.set(key, value);
        long now = System.nanoTime();
        if (lastAckNanos != 0) {
          longestGapNanos = Math.max(longestGapNanos, now - lastAckNanos);
        }
        lastAckNanos = now;
        acked.put(key, value);
        return true;
      } catch (JedisException e) {
        errors.incrementAndGet();
        if (jedis != null) {
          jedis.close();
        }
        jedis = null;
        LockSupport.parkNanos(2_000_000);
      }
    }
    return false;
  }

  /** Starts a new outage measurement window. */
  void resetGap() {
    longestGapNanos = 0;
  }

  double longestGapMs() {
    return longestGapNanos / 1e6;
  }

  long errors() {
    return errors.get();
  }

  int ackedCount() {
    return acked.size();
  }

  /** Keys acknowledged but missing (or different) on {@code server}, db 1. */
  List<String> missingOn(HostPort server) {
    List<String> missing = new ArrayList<>();
    List<Map.Entry<String, String>> all = new ArrayList<>(acked.entrySet());
    try (Jedis j = connector.connect(server, 5000)) {
      j.select(1);
      for (int i = 0; i < all.size(); i += 1000) {
        List<Map.Entry<String, String>> batch = all.subList(i, Math.min(all.size(), i + 1000));
        List<String> values = j.mget(batch.stream().map(Map.Entry::getKey).toArray(String[]::new));
        for (int k = 0; k < batch.size(); k++) {
          if (!batch.get(k).getValue().equals(values.get(k))) {
            missing.add(batch.get(k).getKey());
          }
        }
      }
    }
    return missing;
  }

  @Override
  public void close() {
    if (jedis != null) {
      jedis.close();
    }
  }
}
