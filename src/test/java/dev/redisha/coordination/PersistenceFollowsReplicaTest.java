package dev.redisha.coordination;

import static dev.redisha.coordination.PolicyFixture.master;
import static dev.redisha.coordination.PolicyFixture.replicaStatus;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.PolicyFixture.FakeClock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN rule 4 on the master: it persists unless a persisting replica keeps up. */
class PersistenceFollowsReplicaTest {
  private final FakeClock clock = new FakeClock(1_000_000);
  /** Adverts every 100 ms, down after 300 ms: off after 1 s of a keeping-up replica, on after 1 s behind. */
  private final PersistenceFollowsReplica persistence = new PersistenceFollowsReplica(100, 300);

  private boolean decide(long masterOffset, List<MemberStatus> replicas, String... listedOnline) {
    return persistence.decide(master("run-a", masterOffset, listedOnline), replicas, PolicyFixture::redisOf,
        clock.now());
  }

  @Test
  void aNewMasterPersistsUntilAReplicaHasKeptUpForASecond() {
    List<MemberStatus> b = List.of(replicaStatus("b", "a", 5, 1_000));
    assertTrue(decide(1_000, b, "b"), "at first it may be the last copy");
    clock.advance(999);
    assertTrue(decide(1_000, b, "b"));
    clock.advance(1);
    assertFalse(decide(1_000, b, "b"), "b kept up for a second");
  }

  @Test
  void aReplicaThatDoesNotPersistOrIsNotListedByTheMasterDoesNotCount() {
    List<MemberStatus> notPersisting = List.of(replicaStatus("b", "a", 5, 1_000).withPersisting(false));
    List<MemberStatus> b = List.of(replicaStatus("b", "a", 5, 1_000));
    for (int i = 0; i < 5; i++) {
      assertTrue(decide(1_000, notPersisting, "b"), "its copy is not on disk");
      assertTrue(decide(1_000, b), "the master's Redis does not list it online");
      clock.advance(500);
    }
  }

  @Test
  void persistenceComesBackOnceTheReplicaFallsBehindForASecond() {
    List<MemberStatus> keepingUp = List.of(replicaStatus("b", "a", 5, 1_000));
    decide(1_000, keepingUp, "b");
    clock.advance(1_000);
    assertFalse(decide(1_000, keepingUp, "b"));

    // The master moves on; b stays at 1 000 for more than a second of the master's history.
    List<MemberStatus> stuck = List.of(replicaStatus("b", "a", 5, 1_000));
    for (long offset = 2_000; offset <= 30_000; offset += 1_000) {
      clock.advance(100);
      decide(offset, stuck, "b");
    }
    clock.advance(1_000);
    assertTrue(decide(31_000, stuck, "b"), "b has been behind by more than its allowed lag");
  }

  @Test
  void resetMakesANewTermPersistAtOnce() {
    List<MemberStatus> b = List.of(replicaStatus("b", "a", 5, 1_000));
    decide(1_000, b, "b");
    clock.advance(1_000);
    assertFalse(decide(1_000, b, "b"));
    persistence.reset();
    assertTrue(decide(1_000, b, "b"));
  }
}
