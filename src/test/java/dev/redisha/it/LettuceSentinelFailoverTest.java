package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.it.LettuceFailoverTrial.Result;
import dev.redisha.it.LettuceFailoverTrial.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lettuce's MasterReplica, given only the agents' Sentinel endpoints (a Sentinel URI, RESP3),
 * follows a crash failover. Run twice by Maven: with the current Lettuce on the test classpath
 * and, in the surefire execution "lettuce-6", with the older one swapped in; the system property
 * {@code redisha.lettuce.expected} names the version each run must have loaded.
 */
class LettuceSentinelFailoverTest {
  @TempDir Path dir;

  @BeforeAll
  static void theExpectedLettuceIsLoaded() {
    String expected = System.getProperty("redisha.lettuce.expected");
    String loaded = LettuceFailoverTrial.lettuceVersion();
    System.out.println("Lettuce loaded: " + loaded + ", expected: " + expected);
    if (expected != null) {
      // Implementation-Version reads "7.7.0.RELEASE/<commit>" or "6.8.2.RELEASE".
      assertTrue(loaded.startsWith(expected), "this run must test Lettuce " + expected + ", loaded " + loaded);
    }
  }

  @Test
  void masterReplicaFollowsACrashFailoverAndTheFailbackWithoutLastingReadonlyErrors() throws Exception {
    Result r = LettuceFailoverTrial.run(dir, Shape.FAILBACK);
    System.out.println(r.line());
    // Lettuce reconnects to a's address; a's Redis comes back as a replica within half a second
    // of b's promotion and answers READONLY until it takes the role back (preempt delay 500 ms).
    // Lettuce's own refresh comes 5 s after the first event, too late to matter here. One second
    // is what a user would notice as more than a hiccup.
    assertTrue(r.readonlyMs() <= 1000, "Lettuce got READONLY replies for " + r.readonlyMs() + " ms ("
        + r.readonly() + " replies): it kept writing to the demoted master");
    assertEquals(r.masterPort(), r.clientPort(), "Lettuce writes to the agents' master");
  }

  @Test
  void masterReplicaFindsTheNewMasterThroughTheEndpoints() throws Exception {
    Result r = LettuceFailoverTrial.run(dir, Shape.STAYS_ON_B);
    System.out.println(r.line());
    // Only the endpoints can send Lettuce to b: its events make Lettuce refresh (5 s after the
    // first one, Lettuce's fixed delay) and SENTINEL master / replicas name b as master and the
    // restarted a as a replica. Until then Lettuce writes to a's address.
    assertEquals(r.masterPort(), r.clientPort(), "Lettuce writes to the new master, found through the endpoints");
    assertTrue(r.readonlyMs() <= 6500, "Lettuce got READONLY replies for " + r.readonlyMs()
        + " ms: it did not act on the endpoints' events within its 5 s refresh delay");
  }
}
