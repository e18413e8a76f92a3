package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      try (Writer w = p.writer(90_000, 1000, Duration.ofSeconds(20))) {
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
