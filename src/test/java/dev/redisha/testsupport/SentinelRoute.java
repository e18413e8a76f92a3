package dev.redisha.testsupport;

import dev.redisha.config.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.Jedis;

/**
 * What a Sentinel client does to find the master: ask the Sentinel endpoints in turn, at most
 * every 20 ms, starting with the one that answered last (as redis-py's SentinelConnectionPool
 * does), so a lost host costs one timeout, not one per lookup.
 */
public final class SentinelRoute {
  private static final long CACHE_NANOS = 20_000_000L;
  private final List<HostPort> sentinels;
  private final String masterName;
  private final int timeoutMs;
  private volatile Optional<HostPort> cached = Optional.empty();
  private volatile long askedAt;
  private volatile String lastLookup = "";

  public SentinelRoute(List<HostPort> sentinels, String masterName, int timeoutMs) {
    this.sentinels = new ArrayList<>(sentinels);
    this.masterName = masterName;
    this.timeoutMs = timeoutMs;
  }

  public synchronized Optional<HostPort> master() {
    long now = System.nanoTime();
    if (now - askedAt < CACHE_NANOS && cached.isPresent()) {
      return cached;
    }
    askedAt = now;
    StringBuilder lookup = new StringBuilder();
    for (int i = 0; i < sentinels.size(); i++) {
      HostPort s = sentinels.get(i);
      long t0 = System.nanoTime();
      try (Jedis j = new Jedis(s.host(), s.port(), timeoutMs)) {
        List<String> addr = j.sentinelGetMasterAddrByName(masterName);
        if (addr != null && addr.size() == 2) {
          if (i > 0) {
            sentinels.remove(i);
            sentinels.add(0, s);
          }
          lastLookup = lookup.append(s).append(" answered in ").append(ms(t0)).append(" ms").toString();
          cached = Optional.of(new HostPort(addr.get(0), Integer.parseInt(addr.get(1))));
          return cached;
        }
        lookup.append(s).append(" knew no master in ").append(ms(t0)).append(" ms; ");
      } catch (RuntimeException e) {
        // try the next Sentinel endpoint
        lookup.append(s).append(" failed in ").append(ms(t0)).append(" ms (").append(e.getClass().getSimpleName())
            .append("); ");
      }
    }
    lastLookup = lookup.toString();
    cached = Optional.empty();
    return cached;
  }

  /** What the last lookup that asked the endpoints did: who was asked, in order, and how long each took. */
  public String lastLookup() {
    return lastLookup;
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
