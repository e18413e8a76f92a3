package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F11: both nodes lose power; the one whose data is on disk must become master. */
class ColdStartTest {
  @TempDir Path dir;

  @Test
  void afterLosingBothNodesTheNodeWithDataBecomesMaster() {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      try (Writer w = new Writer(g::masterRedis, a.config.redis().password(), 3000, 30_000)) {
        Await.until("3000 writes acked", Duration.ofSeconds(20), () -> w.acked() >= 3000);
        w.close();
        Await.until("b has every write", Duration.ofSeconds(10),
            () -> b.info().map(i -> i.keys()).orElse(0L) >= 3000);
        // b persists (it is the replica); make its snapshot current, as its save points would.
        try (var c = b.redis()) {
          c.command("SAVE");
        }
        var ra = a.redisProcess();
        var rb = b.redisProcess();
        a.haltAgent();
        b.haltAgent();
        ra.kill();
        rb.kill();

        g.nodes().forEach(TestNode::startAgent);
        Await.until("b master with the data", Duration.ofSeconds(30), () -> b.isMasterAgent() && b.redisIsMaster());
        Await.until("a resynced from b", Duration.ofSeconds(30),
            () -> a.info().map(i -> i.masterLinkUp() && i.keys() >= 3000).orElse(false));
        assertEquals(0, w.missingOn(b.config.redis().address()).size(), "writes lost across the cold start");
      }
    }
  }
}
