package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.coordination.AgentState;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F1 and F6: a crashed master is replaced; the preferred node takes its role back with no loss. */
class FailoverTest {
  @TempDir Path dir;

  @Test
  void replicaIsPromotedWhenMasterRedisIsKilledAndOldMasterGetsItsRoleBackWithoutLoss() {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();

      try (Writer w = p.writer(90_000, 2000, Duration.ofSeconds(20))) {
        long killedAt = System.nanoTime();
        a.redisProcess().kill();

        Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
        int afterPromotion = w.acked();
        Await.until("writes continue on b", Duration.ofSeconds(10), () -> w.acked() >= afterPromotion + 1000);
        double outageMs = w.longestGapMsAfter(killedAt);

        // F6: a's managed Redis restarts as b's replica, resyncs, and a takes the role back.
        long failbackFrom = System.nanoTime();
        int errorsBefore = w.errorCount();
        Await.until("a master again", Duration.ofSeconds(30), () -> a.isMasterAgent() && a.redisIsMaster());
        Await.until("b replica of a", Duration.ofSeconds(10),
            () -> b.agent.status().state() == AgentState.REPLICA && !b.redisIsMaster());
        int afterFailback = w.acked();
        Await.until("writes continue on a", Duration.ofSeconds(10), () -> w.acked() >= afterFailback + 1000);
        w.close();

        HostPort master = g.masterRedis().orElseThrow();
        List<Writer.Ack> missing = w.missingOn(master);
        long lostOldWrites = missing.stream().filter(x -> x.atNanos() < killedAt - 200_000_000L).count();
        System.out.printf("F1: outage %.1f ms, acked %d, lost %d (all within 200 ms before the kill: %s), errors %s%n",
            outageMs, w.acked(), missing.size(), lostOldWrites == 0, w.errors());
        assertEquals(0, lostOldWrites, "writes acked well before the crash were lost: " + missing.subList(0, Math.min(5, missing.size())));
        long lostAfterCrash = missing.stream().filter(x -> x.atNanos() > killedAt).count();
        assertEquals(0, lostAfterCrash, "writes acked after the promotion were lost");
        assertEquals(1, g.redisMasters(), "exactly one Redis master at the end");
        System.out.printf("F6: failback pause %.1f ms, client errors during failback %d%n",
            w.longestGapMsAfter(failbackFrom), w.errorCount() - errorsBefore);
      }
    }
  }
}
