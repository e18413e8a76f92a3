package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F8: the master's Redis freezes (SIGSTOP) past the down time, then resumes (SIGCONT). */
class FrozenMasterTest {
  @TempDir Path dir;

  @Test
  void frozenMasterIsReplacedAndDemotedWhenItResumes() {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      HostPort aRedis = a.config.redis().address();
      try (Writer w = p.writer(90_000, 1000, Duration.ofSeconds(20))) {
        var frozen = a.redisProcess();
        long frozenAt = System.nanoTime();
        frozen.signal("STOP");
        try {
          Await.until("b promoted while a is frozen", Duration.ofSeconds(10), b::isMasterAgent);
          // An endpoint drops client connections to the old master within milliseconds of the
          // change; the freeze outlasts that. Direct clients that stay connected are not covered.
          Await.until("the client left the frozen master", Duration.ofSeconds(5),
              () -> !w.connectedTo().equals(java.util.Optional.of(aRedis)));
        } finally {
          frozen.signal("CONT");
        }
        long promotedAt = System.nanoTime();
        Await.until("a's Redis demoted after it resumed", Duration.ofSeconds(10),
            () -> a.info().map(i -> !i.isMaster()).orElse(false));
        int after = w.acked();
        Await.until("writes continue", Duration.ofSeconds(10), () -> w.acked() >= after + 1000);
        w.close();

        long ackedByOldMasterAfterPromotion = w.acks().stream()
            .filter(x -> x.atNanos() > promotedAt && x.server().equals(aRedis)).count();
        var missing = w.missingOn(g.masterRedis().orElseThrow());
        System.out.printf("F8: acked %d, lost %d, acked by the frozen master after the promotion %d, errors %s%n",
            w.acked(), missing.size(), ackedByOldMasterAfterPromotion, w.errors());
        assertTrue(missing.stream().noneMatch(x -> x.server().equals(aRedis) && x.atNanos() > promotedAt),
            "a write acknowledged by the resumed old master was lost");
        // A client whose connection to the frozen master was still opening when it resumed can
        // get one reply from it before its agent demotes it (Redis runs queued commands first);
        // what the user notices is whether such a write survives, and it must.
        // Replication is asynchronous: a write acked just before the freeze may not have reached b.
        assertTrue(missing.stream().allMatch(x -> x.atNanos() > frozenAt - 200_000_000L && x.atNanos() < frozenAt),
            "acked writes lost beyond the replication lag at the freeze: " + missing);
      }
    }
  }
}
