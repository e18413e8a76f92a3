package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.config.RedisMode;
import dev.redisha.coordination.AgentState;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F5: the data is always on disk somewhere (DESIGN rule 4). */
class PersistenceFollowsReplicaTest {
  @TempDir Path dir;

  @Test
  void masterPersistsWhileItsReplicaIsGoneAndStopsWhenTheReplicaIsBackInSync() {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> c)) {
      g.nodes().forEach(TestNode::startAgent);
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      Scenarios.awaitSteadyPair(g, a, b);
      try (Writer w = new Writer(g::masterRedis, a.config.redis().password(), 400_000, 90_000)) {
        Await.until("1000 writes acked", Duration.ofSeconds(20), () -> w.acked() >= 1000);
        // The replica's host goes away: agent and Redis both.
        var replicaRedis = b.redisProcess();
        b.haltAgent();
        replicaRedis.kill();
        Await.until("master a persists as the last copy", Duration.ofSeconds(10),
            () -> a.agent.status().persisting() && a.redis().isPersisting());

        b.startAgent();
        Await.until("b back as an in-sync persisting replica", Duration.ofSeconds(30), () -> {
          var s = b.agent.status();
          return s.state() == AgentState.REPLICA && s.persisting() && b.info().map(i -> i.masterLinkUp()).orElse(false);
        });
        Await.until("master a stops persisting", Duration.ofSeconds(10), () -> !a.redis().isPersisting());
        w.close();
        assertEquals(0, w.missingOn(g.masterRedis().orElseThrow()).size(), "acked writes lost");
        assertEquals(AgentState.MASTER, a.agent.status().state(), "a stayed master throughout");
      }
    }
  }
}
