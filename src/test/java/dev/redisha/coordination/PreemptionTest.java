package dev.redisha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.PolicyFixture.FakeClock;
import dev.redisha.redis.RedisInfo;
import org.junit.jupiter.api.Test;

/** The seed's failback: a preferred, in-sync replica asks for the role after the delay. */
class PreemptionTest {
  private static final long DELAY_MS = 500;
  private static final long MAX_LAG = 1 << 20;
  private final FakeClock clock = new FakeClock(1_000_000);
  private final Preemption preemption = new Preemption(true, 150, DELAY_MS, MAX_LAG);
  private final RedisInfo inSync = PolicyFixture.replicaOf("b", "run-a", "replid-b", 1_000);

  private void asReplicaOfLowerPriorityMaster() {
    preemption.update(100, 1_000, inSync, true, false, false, clock.now());
  }

  @Test
  void asksOnlyOnceInSyncForTheDelay() {
    asReplicaOfLowerPriorityMaster();
    clock.advance(DELAY_MS - 1);
    asReplicaOfLowerPriorityMaster();
    assertFalse(preemption.wantsMaster(), "not yet in sync for the delay");
    clock.advance(1);
    asReplicaOfLowerPriorityMaster();
    assertTrue(preemption.wantsMaster());
    assertEquals(clock.now(), preemption.wantsMasterSince());
  }

  @Test
  void neverAsksAMasterOfHigherOrEqualPriority() {
    preemption.update(150, 1_000, inSync, true, false, false, clock.now());
    clock.advance(DELAY_MS);
    preemption.update(150, 1_000, inSync, true, false, false, clock.now());
    assertFalse(preemption.wantsMaster());
  }

  @Test
  void pausedHeldDownBehindOrWithoutTheEpochsDataItStopsAsking() {
    asReplicaOfLowerPriorityMaster();
    clock.advance(DELAY_MS);
    asReplicaOfLowerPriorityMaster();
    assertTrue(preemption.wantsMaster());

    preemption.update(100, 1_000, inSync, true, true, false, clock.now());
    assertFalse(preemption.wantsMaster(), "paused");
    assertEquals(-1, preemption.wantsMasterSince());

    preemption.update(100, 1_000, inSync, true, false, true, clock.advance(DELAY_MS));
    assertFalse(preemption.wantsMaster(), "held down");
    preemption.update(100, 1_000 + MAX_LAG + 1, inSync, true, false, false, clock.advance(DELAY_MS));
    assertFalse(preemption.wantsMaster(), "too far behind");
    preemption.update(100, 1_000, inSync, false, false, false, clock.advance(DELAY_MS));
    assertFalse(preemption.wantsMaster(), "without this epoch's complete data");
  }

  @Test
  void anOperatorsChoiceSuppressesItUntilLifted() {
    preemption.suppressUntil(clock.now() + 60_000);
    asReplicaOfLowerPriorityMaster();
    clock.advance(DELAY_MS);
    asReplicaOfLowerPriorityMaster();
    assertFalse(preemption.wantsMaster());

    preemption.suppressUntil(0);
    asReplicaOfLowerPriorityMaster();
    clock.advance(DELAY_MS);
    asReplicaOfLowerPriorityMaster();
    assertTrue(preemption.wantsMaster(), "in sync for the delay counted from the lift");
  }

  @Test
  void switchedOffInTheConfigItNeverAsks() {
    Preemption off = new Preemption(false, 150, 0, MAX_LAG);
    off.update(100, 1_000, inSync, true, false, false, clock.now());
    off.update(100, 1_000, inSync, true, false, false, clock.advance(10_000));
    assertFalse(off.wantsMaster());
  }
}
