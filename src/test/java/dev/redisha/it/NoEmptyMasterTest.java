package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * F2 in external mode: the master's redis-server (no persistence) crashes and an outside
 * supervisor restarts it, empty, as a plain master after a delay. The data must survive on the
 * replica and come back to the old master by replication; nothing acked may be lost beyond the
 * replication lag at the crash. (Managed mode restarts are covered by FailoverTest: the agent
 * restarts its own server as a replica.)
 */
class NoEmptyMasterTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "master restarted empty after {0} ms")
  @ValueSource(ints = {100, 500, 1000, 3000})
  void restartedEmptyMasterNeverWipesTheReplica(int restartDelayMs) {
    try (SteadyPair p = SteadyPair.external(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();

      try (Writer w = p.writer(90_000, 2000, Duration.ofSeconds(20))) {
        long killedAt = System.nanoTime();
        a.externalRedis.kill();
        // The supervisor's restart delay is the scenario's parameter, not a synchronisation.
        LockSupport.parkNanos(restartDelayMs * 1_000_000L);
        a.startExternalRedis(Optional.empty());

        Await.until("b master", Duration.ofSeconds(10), b::isMasterAgent);
        int afterPromotion = w.acked();
        Await.until("writes continue", Duration.ofSeconds(10), () -> w.acked() >= afterPromotion + 1000);
        Await.until("a master again after resync", Duration.ofSeconds(30), () -> a.isMasterAgent() && a.redisIsMaster());
        int afterFailback = w.acked();
        Await.until("writes continue on a", Duration.ofSeconds(10), () -> w.acked() >= afterFailback + 500);
        w.close();

        HostPort master = g.masterRedis().orElseThrow();
        List<Writer.Ack> missing = w.missingOn(master);
        long old = missing.stream().filter(x -> x.atNanos() < killedAt - 200_000_000L).count();
        System.out.printf("F2 external, restart after %d ms: acked %d, lost %d (older than 200 ms before the crash: %d), errors %s%n",
            restartDelayMs, w.acked(), missing.size(), old, w.errors());
        assertEquals(0, old, "acked writes older than the replication lag were lost: the data was wiped");
        assertTrue(missing.stream().noneMatch(x -> x.atNanos() > killedAt), "writes acked after the crash were lost");
        assertEquals(1, g.redisMasters(), "one Redis master at the end");
      }
    }
  }
}
