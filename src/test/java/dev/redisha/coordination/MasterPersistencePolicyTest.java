package dev.redisha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The master's persistence decision (DESIGN rule 4), with a fake clock. */
class MasterPersistencePolicyTest {
  private final MasterPersistencePolicy policy = new MasterPersistencePolicy(1000, 1000, 1000);

  @Test
  void lagIsHowLongAgoTheMasterWasAtTheReplicasOffset() {
    policy.noteMasterOffset(100, 0);
    policy.noteMasterOffset(200, 50);
    policy.noteMasterOffset(300, 100);

    assertEquals(0, policy.lagMs(300, 120), "the replica has everything");
    // The master passed 250 between its samples at t=50 and t=100: known to within one probe.
    assertEquals(20, policy.lagMs(250, 120));
    assertEquals(120, policy.lagMs(100, 120));
    assertEquals(Long.MAX_VALUE, policy.lagMs(50, 120), "older than the history");
  }

  @Test
  void offOnlyAfterTheReplicaKeptUpForTheHoldAndOnOnlyAfterItStayedBehindForTheHold() {
    assertTrue(policy.decide(true, 0), "a new master may be the last copy");
    assertTrue(policy.decide(true, 999));
    assertFalse(policy.decide(true, 1000));
    assertFalse(policy.decide(false, 1100), "a blip does not start a BGSAVE");
    assertFalse(policy.decide(true, 1200));
    assertFalse(policy.decide(false, 1300));
    assertFalse(policy.decide(false, 2299));
    assertTrue(policy.decide(false, 2300), "a replica behind for the whole hold leaves the master the last copy");
  }

  @Test
  void resetMakesANewTermPersistUntilShownOtherwise() {
    policy.decide(true, 0);
    policy.decide(true, 2000);
    assertFalse(policy.persisting());
    policy.reset();
    assertTrue(policy.persisting());
  }
}
