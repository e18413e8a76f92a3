package dev.redisha.demo;

import dev.redisha.agent.Agent;
import dev.redisha.config.HostPort;
import dev.redisha.coordination.AgentState;
import dev.redisha.event.Event;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisControl;
import dev.redisha.redis.RedisInfo;
import dev.redisha.redis.RedisServerProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code redis-ha demo}: the seed's experiment, replayed and checked. Two Redis servers and two
 * agents on loopback, the client writing the seed's VM records through the proxy endpoint; the
 * master's Redis is killed, the replica takes over, the old master resyncs and takes its role
 * back; at the end every acknowledged write is read back through the endpoint and on each node.
 */
public final class SeedExperiment {
  private final PrintStream out;
  private final int ids;
  private final long started = System.nanoTime();

  public SeedExperiment(PrintStream out, int ids) {
    this.out = out;
    this.ids = ids;
  }

  /** Runs the experiment; returns the process exit code (0 only if nothing acknowledged was lost). */
  public int run(Path dir) throws IOException {
    DemoGroup group = new DemoGroup(dir);
    RedisConnector connector = new RedisConnector(Optional.empty(), Optional.of(group.password), Optional.empty());
    say("redis-ha demo: two Redis servers, two agents and a proxy endpoint on 127.0.0.1 (work dir %s)", dir);
    try (Agent a = new Agent(group.a).start(); Agent b = new Agent(group.b).start();
        DemoClient client = new DemoClient(connector, group.proxy)) {
      say("redis-server: %s", a.managedRedis().map(m -> m.binary().toString()).orElse("?"));
      waitFor("a master, b an in-sync persisting replica", Duration.ofSeconds(60), () ->
          a.status().state() == AgentState.MASTER && a.status().redisUp()
              && b.status().state() == AgentState.REPLICA && b.status().persisting() && !a.status().persisting());
      say("node a is master (epoch %d), node b its replica; b persists, a keeps its data in memory only",
          a.status().epoch());

      int firstBatch = ids;
      for (int id = 1; id <= firstBatch; id++) {
        client.writeVm(id);
      }
      say("wrote %,d VM records (%,d keys) into db 1 through the proxy %s", firstBatch, client.ackedCount(), group.proxy);
      showThroughEndpoint(connector, group.proxy);
      show("a", connector, group.a.redis().address(), group.a.redis().dataDir());
      show("b", connector, group.b.redis().address(), group.b.redis().dataDir());

      // The crash: the client keeps writing; the longest silence is the outage it saw.
      RedisServerProcess victim = a.managedRedis().flatMap(m -> m.process()).orElseThrow();
      int next = firstBatch + 1;
      for (int i = 0; i < 100; i++) {
        client.writeVm(next++);
      }
      client.resetGap();
      say("killing node a's redis-server (SIGKILL, pid %d), as the seed does with killall -9", victim.pid());
      victim.kill();
      int target = next + Math.max(200, ids / 10);
      while (next < target) {
        client.writeVm(next++);
      }
      double failoverOutage = client.longestGapMs();
      lastEvent(b, "promote").ifPresent(e -> say("node b: %s (epoch %d) %s", e.cause(), e.epoch(), e.fields()));
      say("client outage during the failover: %.0f ms; writes went on through the same address", failoverOutage);
      showThroughEndpoint(connector, group.proxy);

      // Recovery: no scp, no script. a's agent restarts its Redis as b's replica; once in sync, the
      // preferred node takes its role back by Redis FAILOVER.
      say("node a's agent restarts its redis-server as a replica of b; it resyncs, then takes its role back");
      client.resetGap();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!(a.status().state() == AgentState.MASTER && a.status().redisUp()
          && b.status().state() == AgentState.REPLICA) && System.nanoTime() < deadline) {
        client.writeVm(next++);
      }
      for (int i = 0; i < 200; i++) {
        client.writeVm(next++);
      }
      double failbackPause = client.longestGapMs();
      lastEvent(b, "handover").ifPresent(e -> say("node b: %s %s", e.cause(), e.fields()));
      say("client pause during the failback: %.0f ms", failbackPause);

      waitFor("b back in sync", Duration.ofSeconds(30), () -> linkUp(connector, group.b.redis().address()));
      say("the seed's check:");
      long endpointKeys = showThroughEndpoint(connector, group.proxy);
      show("a", connector, group.a.redis().address(), group.a.redis().dataDir());
      show("b", connector, group.b.redis().address(), group.b.redis().dataDir());
      List<String> missingViaEndpoint = client.missingOn(group.proxy);
      List<String> missingOnB = client.missingOn(group.b.redis().address());
      say("acknowledged writes: %,d; read back through the endpoint: %,d missing; on the replica: %,d missing",
          client.ackedCount(), missingViaEndpoint.size(), missingOnB.size());
      say("outages: failover %.0f ms, failback %.0f ms; client errors (retried): %d", failoverOutage, failbackPause,
          client.errors());
      boolean ok = missingViaEndpoint.isEmpty() && missingOnB.isEmpty() && endpointKeys >= client.ackedCount();
      say(ok ? "RESULT: nothing acknowledged was lost" : "RESULT: acknowledged writes were LOST");
      return ok ? 0 : 1;
    }
  }

  private long showThroughEndpoint(RedisConnector connector, HostPort endpoint) {
    try (RedisControl c = new RedisControl(connector, endpoint, 2000)) {
      RedisInfo info = c.info();
      String db1 = info.raw().getOrDefault("db1", "keys=0");
      say("  through the endpoint: role:%s connected_slaves:%d db1:%s", info.role(),
          info.replicas().size(), db1);
      return keys(db1);
    } catch (RuntimeException e) {
      say("  through the endpoint: %s", e.getMessage());
      return -1;
    }
  }

  private void show(String node, RedisConnector connector, HostPort redis, Path dataDir) {
    Path dump = dataDir.resolve("dump.rdb");
    String file;
    try {
      file = Files.exists(dump) ? String.format(Locale.ROOT, "dump.rdb %,d bytes", Files.size(dump)) : "no dump.rdb";
    } catch (IOException e) {
      file = "dump.rdb unreadable";
    }
    try (RedisControl c = new RedisControl(connector, redis, 2000)) {
      RedisInfo info = c.info();
      say("  node %s: role:%s%s db1:%s, %s", node, info.role(),
          info.isMaster() ? "" : " master_host:" + info.masterHost() + ":" + info.masterPort() + " link:" + (info.masterLinkUp() ? "up" : "down"),
          info.raw().getOrDefault("db1", "keys=0"), file);
    } catch (RuntimeException e) {
      say("  node %s: not answering (%s)", node, e.getMessage());
    }
  }

  private static boolean linkUp(RedisConnector connector, HostPort redis) {
    try (RedisControl c = new RedisControl(connector, redis, 1000)) {
      return c.info().masterLinkUp();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static long keys(String dbLine) {
    for (String part : dbLine.split(",")) {
      if (part.startsWith("keys=")) {
        return Long.parseLong(part.substring(5));
      }
    }
    return 0;
  }

  private static Optional<Event> lastEvent(Agent agent, String type) {
    List<Event> events = agent.recentEvents();
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i).type().equals(type)) {
        return Optional.of(events.get(i));
      }
    }
    return Optional.empty();
  }

  private void waitFor(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("demo: timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      LockSupport.parkNanos(5_000_000);
    }
  }

  private void say(String format, Object... args) {
    out.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - started) / 1e9, String.format(Locale.ROOT, format, args));
  }
}
