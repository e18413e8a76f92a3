package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.ApiConfig;
import dev.redisha.config.CoordinationConfig;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.Secret;
import dev.redisha.testsupport.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misconfiguration is loud and harmless: never two masters, never a failover of a healthy one. */
class MisconfiguredPeerTest {
  @TempDir Path dir;

  @Test
  void aPeerRestartedWithAnotherKeyIsReportedAndNeverPromotesItselfBesideTheHealthyMaster() {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      NodeConfig rightKey = b.config;

      b.stopAgent();
      b.config = withKey(rightKey, "another-key-from-a-botched-rotation");
      b.startAgent();

      Await.until("b reports that a's adverts fail authentication", Duration.ofSeconds(10),
          () -> b.agent.status().warnings().stream().anyMatch(w -> w.contains("fail authentication")));
      Await.until("a reports the same of b", Duration.ofSeconds(10),
          () -> a.agent.status().warnings().stream().anyMatch(w -> w.contains("fail authentication")));
      // Past its bootstrap wait b has judged a's Redis by its own probe and declined to promote.
      Await.until("b decides not to act past a's healthy Redis", Duration.ofSeconds(10),
          () -> b.agent.status().lastDecision().contains("no action"));
      assertFalse(b.redisIsMaster(), "b promoted itself beside a healthy master: " + b.agent.status().lastDecision());
      assertTrue(a.isMasterAgent() && a.redisIsMaster(), "a lost the role to a misconfigured peer");
      assertEquals(1, g.redisMasters());

      // The key fixed, b rejoins as a's replica.
      b.stopAgent();
      b.config = rightKey;
      b.startAgent();
      Scenarios.awaitSteadyPair(g, a, b);
      assertTrue(b.agent.status().warnings().stream().noneMatch(w -> w.contains("fail authentication")));
    }
  }

  @Test
  void aSecondAgentClaimingAnExistingNodeIdIsReportedAndNeverMakesThePeerFailOverTheRealOne() {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();

      // Started by mistake with a's file edited for other ports: it sends adverts as "a".
      NodeConfig c = a.config;
      NodeConfig impostorConfig = new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(),
          new RedisConfig(TestGroup.loopback(TestGroup.freeTcpPort()), TestGroup.loopback(0), c.redis().user(),
              c.redis().password(), c.redis().tls(), c.redis().mode(), c.redis().binary(), dir.resolve("impostor/redis"),
              c.redis().extraArgs()),
          c.peers(),
          new CoordinationConfig(TestGroup.loopback(TestGroup.freeUdpPort()), c.coordination().key(),
              c.coordination().advertIntervalMs(), c.coordination().downAfterAdverts(), c.coordination().preempt(),
              c.coordination().preemptDelayMs(), c.coordination().flapWindowMs(), c.coordination().flapMaxFaults(),
              c.coordination().bootstrapWaitMs()),
          c.health(), c.persistence(), c.failover(), c.hooks(), new ApiConfig(TestGroup.loopback(0), c.api().token()),
          dir.resolve("impostor"), c.endpoints());
      TestNode impostor = new TestNode(fixAnnounce(impostorConfig));
      try {
        impostor.startAgent();
        Await.until("b reports two agents claiming node id a", Duration.ofSeconds(10),
            () -> b.agent.status().warnings().stream().anyMatch(w -> w.contains("two agents claim node id a")));
        int promotionsBefore = promotions(b);
        // While the conflict lasts b acts on neither; a's Redis stays healthy, so nothing moves.
        Await.until("b has judged a by its Redis", Duration.ofSeconds(10),
            () -> b.agent.status().lastDecision().contains("healthy: no action"));
        assertFalse(b.redisIsMaster(), "b failed over the real, healthy a: " + b.agent.status().lastDecision());
        assertTrue(a.redisIsMaster());
        assertEquals(promotionsBefore, promotions(b));
      } finally {
        impostor.stopAgent();
      }
      Await.until("the conflict clears and b follows the real a again", Duration.ofSeconds(15),
          () -> b.agent.status().warnings().isEmpty() && b.agent.status().lastDecision().startsWith("replica of a"));
      assertTrue(a.isMasterAgent() && !b.redisIsMaster());
    }
  }

  private static int promotions(TestNode n) {
    return (int) n.agent.recentEvents().stream().filter(e -> e.type().equals("promote")).count();
  }

  private static NodeConfig fixAnnounce(NodeConfig c) {
    RedisConfig r = c.redis();
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(),
        new RedisConfig(r.address(), r.address(), r.user(), r.password(), r.tls(), r.mode(), r.binary(), r.dataDir(),
            r.extraArgs()),
        c.peers(), c.coordination(), c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), c.stateDir(),
        c.endpoints());
  }

  private static NodeConfig withKey(NodeConfig c, String key) {
    CoordinationConfig k = c.coordination();
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), c.redis(), c.peers(),
        new CoordinationConfig(k.listen(), new Secret(key.getBytes(StandardCharsets.UTF_8), "test"),
            k.advertIntervalMs(), k.downAfterAdverts(), k.preempt(), k.preemptDelayMs(), k.flapWindowMs(),
            k.flapMaxFaults(), k.bootstrapWaitMs()),
        c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), c.stateDir(), c.endpoints());
  }
}
