package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.ExpectedJedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentinelPool;

/** Clients reach the master through the agents' endpoints across a crash and a failback. */
class EndpointsThroughAgentsTest {
  @BeforeAll
  static void theExpectedJedisIsLoaded() {
    ExpectedJedis.isLoaded();
  }

  @TempDir Path dir;

  @Test
  void proxyLosesNothingBeyondReplicationLagOnACrashAndReturnsNoErrorOnTheFailback() {
    HostPort proxyA = TestGroup.loopback(TestGroup.freeTcpPort());
    try (SteadyPair p = SteadyPair.managed(dir,
        c -> withEndpoints(c, c.nodeId().equals("a") ? new EndpointsConfig(Optional.empty(),
            Optional.of(new EndpointsConfig.Proxy(proxyA, 5000)), Optional.empty()) : EndpointsConfig.none()))) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      // A client with Jedis' default 2 s timeout: a switchover pauses it, it never times out.
      try (Writer w = new Writer(() -> Optional.of(proxyA), a.config.redis().password(), 400_000, 90_000, 2000)) {
        Await.until("2000 writes through the proxy", Duration.ofSeconds(20), () -> w.acked() >= 2000);
        long killedAt = System.nanoTime();
        a.redisProcess().kill();
        Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
        int afterPromotion = w.acked();
        Await.until("writes continue through the proxy", Duration.ofSeconds(10), () -> w.acked() >= afterPromotion + 1000);
        double outage = w.longestGapMsAfter(killedAt);

        long failbackFrom = System.nanoTime();
        int errorsBefore = w.errorCount();
        Await.until("a master again", Duration.ofSeconds(30),
            () -> a.isMasterAgent() && a.redisIsMaster() && b.agent.status().state() == AgentState.REPLICA);
        int afterFailback = w.acked();
        Await.until("writes continue on a", Duration.ofSeconds(10), () -> w.acked() >= afterFailback + 1000);
        w.close();
        int failbackErrors = w.errorCount() - errorsBefore;
        List<Writer.Ack> missing = w.missingOn(a.config.redis().address());
        long older = missing.stream().filter(x -> x.atNanos() < killedAt - 200_000_000L).count();
        long clientsOnDemoted = normalClients(b);
        System.out.printf("proxy: crash outage %.1f ms, failback pause %.1f ms, failback errors %d, acked %d, lost %d"
                + " (older than 200 ms before the crash %d), clients left on the demoted node %d%n",
            outage, w.longestGapMsAfter(failbackFrom), failbackErrors, w.acked(), missing.size(), older, clientsOnDemoted);
        assertEquals(0, older, "acked writes lost beyond the replication lag");
        assertTrue(missing.stream().noneMatch(x -> x.atNanos() > killedAt), "writes acked after the crash were lost");
        assertEquals(0, failbackErrors, "the failback through the proxy returned errors: " + w.errors());
        assertEquals(0, clientsOnDemoted, "a client connection stayed on the demoted node");
      }
    }
  }

  @Test
  void jedisSentinelPoolFollowsFailoverAndFailbackWithoutRestart() {
    HostPort sentinelA = TestGroup.loopback(TestGroup.freeTcpPort());
    HostPort sentinelB = TestGroup.loopback(TestGroup.freeTcpPort());
    try (SteadyPair p = SteadyPair.managed(dir, c -> withEndpoints(c, new EndpointsConfig(
        Optional.empty(), Optional.empty(), Optional.of(new EndpointsConfig.Sentinel(
            c.nodeId().equals("a") ? sentinelA : sentinelB, "mymaster",
            c.nodeId().equals("a") ? Map.of("b", sentinelB) : Map.of("a", sentinelA))))))) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      String password = a.config.redis().password().orElseThrow().text();
      try (JedisSentinelPool pool = new JedisSentinelPool("mymaster", Set.of(sentinelA.toString(), sentinelB.toString()),
          new GenericObjectPoolConfig<>(), 2000, password)) {
        assertEquals(a.config.redis().address().port(), pool.getCurrentHostMaster().getPort());
        write(pool, "before", "1");

        a.redisProcess().kill();
        Await.until("pool follows the failover to b", Duration.ofSeconds(20),
            () -> pool.getCurrentHostMaster().getPort() == b.config.redis().address().port() && tryWrite(pool, "during", "2"));
        Await.until("pool follows the failback to a", Duration.ofSeconds(40),
            () -> a.isMasterAgent() && pool.getCurrentHostMaster().getPort() == a.config.redis().address().port()
                && tryWrite(pool, "after", "3"));
        try (Jedis j = pool.getResource()) {
          assertEquals(List.of("1", "2", "3"), j.mget("before", "during", "after"));
        }
      }
    }
  }

  private static void write(JedisSentinelPool pool, String k, String v) {
    try (Jedis j = pool.getResource()) {
      j.set(k, v);
    }
  }

  private static boolean tryWrite(JedisSentinelPool pool, String k, String v) {
    try {
      write(pool, k, v);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Client connections on a node other than agents' own (named redis-ha) and replication links. */
  private static long normalClients(TestNode n) {
    try (var c = n.redis()) {
      String list = new String((byte[]) c.command("CLIENT", "LIST", "TYPE", "normal"), java.nio.charset.StandardCharsets.UTF_8);
      List<String> others = list.lines().filter(l -> !l.contains("name=redis-ha")).toList();
      others.forEach(l -> System.out.println("client on " + n.id() + ": " + l));
      return others.size();
    }
  }

  static NodeConfig withEndpoints(NodeConfig c, EndpointsConfig e) {
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), c.redis(), c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), c.stateDir(), e);
  }
}
