package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.config.TlsConfig;
import dev.redisha.redis.RedisConnector;
import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code redis.tls} and {@code redis.user} with real TLS-only redis-servers: in managed mode the
 * agents start them with the ACL user; in external mode an outside supervisor does. Either way
 * the servers replicate over TLS and the group fails over and back without loss.
 */
class TlsAndAclUserTest {
  @TempDir Path dir;
  private TlsConfig tls;

  @BeforeEach
  void makeCertificates() throws Exception {
    if (!TestCertificates.opensslPresent()) {
      System.out.println("SKIPPED TlsAndAclUserTest: needs the openssl command to make test certificates");
    }
    assumeTrue(TestCertificates.opensslPresent(), "needs openssl");
    tls = TestCertificates.forLoopback(dir.resolve("certs"));
  }

  @Test
  void managedTlsServersWithAnAclUserFailOverAndBackWithoutLoss() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, c -> withTlsAndUser(c, tls, "ha-agent"))) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();

      HostPort aRedis = a.config.redis().address();
      assertThrows(JedisException.class, () -> {
        try (Jedis plain = new Jedis(aRedis.host(), aRedis.port(), 1000)) {
          plain.ping();
        }
      }, "a managed TLS server must not answer in plain text");
      RedisConnector connector = RedisConnector.of(a.config.redis());
      try (Jedis j = connector.connect(aRedis, 2000)) {
        assertEquals("ha-agent", j.aclWhoAmI(), "the agent's connections use the configured ACL user");
      }

      try (Writer w = new Writer(g::masterRedis, connector, 400_000, 90_000, 500)) {
        Await.until("2000 writes acked over TLS", Duration.ofSeconds(20), () -> w.acked() >= 2000);
        long killedAt = System.nanoTime();
        a.redisProcess().kill();
        Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
        writeThroughTheFailback(w, a);
        assertNothingLostBeyondTheReplicationLag("TLS + ACL user", w, aRedis, killedAt,
            "acked writes older than the replication lag were lost");
        assertEquals(1, g.redisMasters(), "one Redis master at the end");
      }
    }
  }

  @Test
  void externalTlsServersReplicateOverTlsOnceTheAgentsMakeThemReplicas() throws Exception {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.EXTERNAL, c -> withTlsAndUser(c, tls, "ha-agent"))) {
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      // The operator's redis.conf has TLS and the ACL user but no tls-replication: the agent must
      // set it when it makes a server a replica, or the link to a TLS-only master never comes up.
      List<String> noTlsReplication = List.of("--tls-replication", "no");
      a.startExternalRedis(Optional.empty(), noTlsReplication);
      b.startExternalRedis(Optional.of(TestGroup.POLICY), noTlsReplication);
      g.nodes().forEach(TestNode::startAgent);
      Scenarios.awaitSteadyPair(g, a, b);

      RedisConnector connector = RedisConnector.of(a.config.redis());
      try (Writer w = new Writer(g::masterRedis, connector, 400_000, 90_000, 500)) {
        Await.until("2000 writes acked over TLS", Duration.ofSeconds(20), () -> w.acked() >= 2000);
        long killedAt = System.nanoTime();
        a.externalRedis.kill();
        Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
        // Restarted empty by its supervisor after its restart delay (README: external mode, limits).
        a.startExternalRedis(Optional.empty(), noTlsReplication);
        writeThroughTheFailback(w, a);
        assertNothingLostBeyondTheReplicationLag("external TLS + ACL user", w, a.config.redis().address(), killedAt,
            "the restarted empty master wiped acked writes");
      }
    }
  }

  /** After b's promotion: writes go on, a resyncs over TLS and takes its role back, writes go on. */
  private static void writeThroughTheFailback(Writer w, TestNode a) {
    int afterPromotion = w.acked();
    Await.until("writes continue on b", Duration.ofSeconds(10), () -> w.acked() >= afterPromotion + 1000);
    Await.until("a resynced over TLS and master again", Duration.ofSeconds(30),
        () -> a.isMasterAgent() && a.redisIsMaster());
    int afterFailback = w.acked();
    Await.until("writes continue on a", Duration.ofSeconds(10), () -> w.acked() >= afterFailback + 1000);
    w.close();
  }

  private static void assertNothingLostBeyondTheReplicationLag(String label, Writer w, HostPort server, long killedAt,
      String olderLostMessage) {
    List<Writer.Ack> missing = w.missingOn(server);
    long older = missing.stream().filter(x -> x.atNanos() < killedAt - 200_000_000L).count();
    System.out.printf("%s: acked %d, lost %d (older than 200 ms before the kill: %d)%n", label, w.acked(),
        missing.size(), older);
    assertEquals(0, older, olderLostMessage);
    assertEquals(0, missing.stream().filter(x -> x.atNanos() > killedAt).count(), "writes acked after the crash were lost");
  }

  private static NodeConfig withTlsAndUser(NodeConfig c, TlsConfig tls, String user) {
    RedisConfig r = c.redis();
    RedisConfig redis = new RedisConfig(r.address(), r.announce(), Optional.of(user), r.password(), Optional.of(tls),
        r.mode(), r.binary(), r.dataDir(), r.extraArgs());
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), redis, c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), c.stateDir(), c.endpoints());
  }
}
