package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * F3: the master's agent dies (or is starved of CPU) while its Redis lives on. DESIGN §4: only
 * evidence about Redis itself moves the master role; Sentinel would not move either.
 */
class AgentLossTest {
  @TempDir Path dir;

  @Test
  void deadMasterAgentBesideAHealthyRedisIsReportedNotFailedOverUntilItsRedisFails() {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c);
        RoleMonitor monitor = new RoleMonitor(p.group())) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      // Where a client behind an endpoint writes: the agents' master, or, with a's agent gone,
      // the Redis b's endpoints keep routing to (a's, while it is healthy).
      java.util.function.Supplier<Optional<HostPort>> route = () -> g.masterRedis()
          .or(() -> a.redisIsMaster() ? Optional.of(a.config.redis().address()) : Optional.empty());
      try (Writer w = p.writer(route, 90_000, 2000, Duration.ofSeconds(20))) {
        monitor.start();
        a.haltAgent();

        Await.until("b reports a's agent silent beside a healthy Redis", Duration.ofSeconds(10),
            () -> b.agent.status().warnings().stream().anyMatch(x -> x.contains("a's agent silent")
                && x.contains("its Redis healthy: no action")));
        // Ten down times later (measured in writes, not sleeps) nothing has moved.
        int atWarning = w.acked();
        Await.until("3000 more writes on a's Redis", Duration.ofSeconds(20), () -> w.acked() >= atWarning + 3000);
        assertFalse(b.isMasterAgent(), "b took over from a healthy master whose agent is silent");
        assertTrue(a.redisIsMaster(), "a's Redis was demoted although healthy");
        assertEquals(0, w.errorCount(), "clients of a healthy master saw errors: " + w.errors());

        // Its Redis dies too: now there is evidence, and b takes over.
        long killedAt = System.nanoTime();
        a.redisProcess().kill();
        Await.until("b promoted", Duration.ofSeconds(10), b::isMasterAgent);
        int after = w.acked();
        Await.until("writes continue on b", Duration.ofSeconds(10), () -> w.acked() >= after + 1000);

        // The agent comes back: a rejoins as a replica and, being preferred, takes the role back.
        a.startAgent();
        Await.until("a master again", Duration.ofSeconds(30), () -> a.isMasterAgent() && a.redisIsMaster());
        int later = w.acked();
        Await.until("writes continue on a", Duration.ofSeconds(10), () -> w.acked() >= later + 500);
        w.close();
        monitor.close();

        List<Writer.Ack> missing = w.missingOn(g.masterRedis().orElseThrow());
        long lostOld = missing.stream().filter(x -> x.atNanos() < killedAt - 200_000_000L).count();
        System.out.printf("F3: outage after the Redis kill %.1f ms, acked %d, lost %d (older than 200 ms before the kill: %d),"
                + " errors %s, samples with two masters %d of %d%n",
            w.longestGapMsAfter(killedAt), w.acked(), missing.size(), lostOld, w.errors(), monitor.twoMasterSamples(),
            monitor.samples());
        assertEquals(0, monitor.twoMasterSamples(), "two Redis servers were master at the same time");
        assertEquals(0, lostOld, "writes acked well before the crash were lost");
        assertEquals(0, missing.stream().filter(x -> x.atNanos() > killedAt).count(), "writes acked after the crash were lost");
      }
    }
  }
}
