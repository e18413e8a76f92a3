package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.config.RedisMode;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F3: the master's agent dies while its Redis lives on. */
class AgentLossTest {
  @TempDir Path dir;

  @Test
  void killedMasterAgentIsFencedSoThereAreNeverTwoWritableMasters() {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> c);
        RoleMonitor monitor = new RoleMonitor(g)) {
      g.nodes().forEach(TestNode::startAgent);
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      Scenarios.awaitSteadyPair(g, a, b);
      try (Writer w = new Writer(g::masterRedis, a.config.redis().password(), 400_000, 90_000)) {
        Await.until("2000 writes acked", Duration.ofSeconds(20), () -> w.acked() >= 2000);
        monitor.start();
        long haltedAt = System.nanoTime();
        a.haltAgent();

        Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
        Await.until("a's Redis demoted by the fence", Duration.ofSeconds(10), () -> !a.redisIsMaster());
        int after = w.acked();
        Await.until("writes continue on b", Duration.ofSeconds(10), () -> w.acked() >= after + 1000);

        // The agent comes back: a rejoins and, being preferred, takes the role back.
        a.startAgent();
        Await.until("a master again", Duration.ofSeconds(30), () -> a.isMasterAgent() && a.redisIsMaster());
        int later = w.acked();
        Await.until("writes continue on a", Duration.ofSeconds(10), () -> w.acked() >= later + 500);
        w.close();
        monitor.close();

        var missing = w.missingOn(g.masterRedis().orElseThrow());
        System.out.printf("F3: outage %.1f ms, acked %d, lost %d, errors %s, samples with two masters %d of %d%n",
            w.longestGapMsAfter(haltedAt), w.acked(), missing.size(), w.errors(), monitor.twoMasterSamples(), monitor.samples());
        assertEquals(0, monitor.twoMasterSamples(), "two Redis servers were master at the same time");
        assertEquals(0, missing.size(), "the fence pauses and catches up first: nothing acked may be lost");
      }
    }
  }
}
