package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.CoordinationConfig;
import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.NodeConfig;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F10: a master that keeps crashing does not keep taking the role back. */
class FlappingTest {
  @TempDir Path dir;

  @Test
  void repeatedCrashesPutThePreferredNodeInHoldDown() {
    try (SteadyPair p = SteadyPair.managed(dir, FlappingTest::twoFaultsInAMinute)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();

      // Fault 1: b takes over, a comes back and takes the role back.
      a.redisProcess().kill();
      Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
      long bEpoch = b.agent.status().epoch();
      Await.until("a takes the role back", Duration.ofSeconds(30),
          () -> a.isMasterAgent() && a.agent.status().epoch() > bEpoch && a.redisIsMaster());
      long epochBefore = a.agent.status().epoch();

      // Fault 2 within the window: a must stay a replica.
      a.redisProcess().kill();
      Await.until("b promoted again", Duration.ofSeconds(10),
          () -> b.isMasterAgent() && b.agent.status().epoch() > epochBefore);
      Await.until("a in hold-down, an in-sync replica", Duration.ofSeconds(30),
          () -> a.agent.status().holdDown() && a.info().map(i -> i.masterLinkUp()).orElse(false));
      // Observe for several preempt delays: nothing may move (a bounded observation, not a sleep).
      long until = System.nanoTime() + 3_000_000_000L;
      while (System.nanoTime() < until) {
        assertTrue(b.isMasterAgent() && !a.redisIsMaster(), "the role moved back to a during hold-down");
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      }
      assertTrue(b.agent.status().epoch() > epochBefore, "b holds a newer epoch");
    }
  }

  private static NodeConfig twoFaultsInAMinute(NodeConfig c) {
    CoordinationConfig k = c.coordination();
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), c.redis(), c.peers(),
        new CoordinationConfig(k.listen(), k.key(), k.advertIntervalMs(), k.downAfterAdverts(), k.preempt(),
            k.preemptDelayMs(), 60_000, 2, k.bootstrapWaitMs()),
        c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), c.stateDir(), c.endpoints());
  }
}
