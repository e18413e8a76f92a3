package dev.redisha.coordination;

import static dev.redisha.coordination.PolicyFixture.master;
import static dev.redisha.coordination.PolicyFixture.replicaStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a replica may take the role by a zero-loss handover. */
class ReplicaSyncTest {
  private static final long MAX_LAG = 1_000;
  private final ReplicaSync sync = new ReplicaSync("a", MAX_LAG, PolicyFixture::redisOf);

  @Test
  void aLinkedReplicaListedOnlineWithinTheLagIsInSync() {
    assertTrue(sync.inSyncWith(replicaStatus("b", "a", 5, 10_000), master("run-a", 10_000, "b"), 5));
  }

  @Test
  void itsOwnWordIsNotEnoughWithoutTheMastersListing() {
    MemberStatus b = replicaStatus("b", "a", 5, 10_000);
    assertTrue(sync.linkedReplicaOfMine(b, 5));
    assertFalse(sync.inSyncWith(b, master("run-a", 10_000), 5), "not listed online by the master's Redis");
  }

  @Test
  void tooFarBehindOrOfAnotherEpochIsNot() {
    assertFalse(sync.inSyncWith(replicaStatus("b", "a", 5, 10_000 - MAX_LAG - 1), master("run-a", 10_000, "b"), 5));
    assertFalse(sync.linkedReplicaOfMine(replicaStatus("b", "a", 4, 10_000), 5));
    assertFalse(sync.linkedReplicaOfMine(replicaStatus("b", "c", 5, 10_000), 5), "it follows someone else");
  }

  @Test
  void sayWhyNot() {
    assertEquals("it reports REPLICA in epoch 4", sync.whyNot(replicaStatus("b", "a", 4, 0), master("run-a", 0), 5));
    assertEquals("its Redis has its replication link down",
        sync.whyNot(replicaStatus("b", "a", 5, 0).withRedis(true, "run-b", "slave", "x", 0, false, 0),
            master("run-a", 0), 5));
    assertEquals("it does not hold this epoch's complete data yet",
        sync.whyNot(replicaStatus("b", "a", 5, 0).withDataEpoch(4), master("run-a", 0), 5));
    assertEquals("2000 bytes behind (at most 1000 allowed), or not yet acknowledged by my Redis",
        sync.whyNot(replicaStatus("b", "a", 5, 0), master("run-a", 2_000), 5));
  }
}
