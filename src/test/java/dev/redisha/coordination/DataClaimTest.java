package dev.redisha.coordination;

import static dev.redisha.coordination.PolicyFixture.master;
import static dev.redisha.coordination.PolicyFixture.masterStatus;
import static dev.redisha.coordination.PolicyFixture.replicaOf;
import static dev.redisha.coordination.PolicyFixture.up;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.PolicyFixture.FakeClock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DESIGN rule 1: the data claim says which epoch's complete data the local Redis holds. */
class DataClaimTest {
  private final FakeClock clock = new FakeClock(1_000_000);
  private final DataClaim claim = new DataClaim("b", PolicyFixture::redisOf);

  private static Map<String, MemberReport> heard(MemberStatus s, long at) {
    return Map.of(s.nodeId(), new MemberReport(s, at));
  }

  @Test
  void aRestartWithoutPersistenceLosesTheClaim() {
    DurableState st = new DurableState(5, "a", 5, "run-b-before", false);
    DurableState next = claim.update(st, up(replicaOf("a", "run-b-after", "replid-new", 0), false), Map.of(),
        clock.now());
    assertEquals(-1, next.dataEpoch(), "it came back empty");
    assertEquals("run-b-after", next.dataRunId());
    assertTrue(claim.restartedSinceData());
    assertEquals(clock.now(), claim.restartSeenAt());
  }

  @Test
  void aRestartWhilePersistingKeepsTheClaimButIsNotCurrentUntilKept() {
    DurableState st = new DurableState(5, "b", 5, "run-b-before", true);
    DurableState next = claim.update(st, up(master("run-b-after", 0), true), Map.of(), clock.now());
    assertEquals(5, next.dataEpoch(), "what it saved is still epoch 5's data, possibly older");
    assertTrue(claim.restartedSinceData(), "the policy must first look for a newer copy");
    claim.keptAfterRestart();
    assertFalse(claim.restartedSinceData());
  }

  @Test
  void aLinkedReplicaOfTheEpochsMasterHoldsTheEpochsData() {
    DurableState st = new DurableState(6, "a", 5, "run-b", true);
    Map<String, MemberReport> a = heard(masterStatus("a", 6, "replid-a"), clock.now());
    DurableState next = claim.update(st, up(replicaOf("a", "run-b", "replid-a", 900), true), a, clock.now());
    assertEquals(6, next.dataEpoch());
  }

  @Test
  void theMastersReplicationIdShowsTheDataAfterTheMasterIsGone() {
    DurableState st = new DurableState(6, "a", 5, "run-b", true);
    claim.noteLineage(st, heard(masterStatus("a", 6, "replid-a6"), clock.now()));
    // a dies before b's probe sees its link up; b's Redis carries a's epoch-6 replication id.
    DurableState next = claim.update(st, up(replicaOf("a", "run-b", "replid-a6", 900), true), Map.of(),
        clock.advance(1_000));
    assertEquals(6, next.dataEpoch());
    assertEquals("run-a", claim.servingRunId(), "a was heard serving in this run");
  }

  @Test
  void anotherReplicationIdClaimsNothing() {
    DurableState st = new DurableState(6, "a", 5, "run-b", true);
    claim.noteLineage(st, heard(masterStatus("a", 6, "replid-a6"), clock.now()));
    DurableState next = claim.update(st, up(replicaOf("a", "run-b", "replid-other", 900), true), Map.of(),
        clock.advance(1_000));
    assertEquals(5, next.dataEpoch());
  }

  @Test
  void aDownRedisChangesNothing() {
    DurableState st = new DurableState(6, "a", 6, "run-b", true);
    assertEquals(st, claim.update(st, PolicyFixture.down(), Map.of(), clock.now()));
  }
}
