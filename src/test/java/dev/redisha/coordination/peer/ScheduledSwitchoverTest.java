package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.ElectionFixture.SWITCHOVER_TIMEOUT_MS;
import static dev.redisha.coordination.peer.ElectionFixture.T0;
import static dev.redisha.coordination.peer.ElectionFixture.advert;
import static dev.redisha.coordination.peer.ElectionFixture.advertOf;
import static dev.redisha.coordination.peer.ElectionFixture.config;
import static dev.redisha.coordination.peer.ElectionFixture.heard;
import static dev.redisha.coordination.peer.ElectionFixture.redisUp;
import static dev.redisha.coordination.peer.ElectionFixture.runIdOf;
import static dev.redisha.coordination.peer.ElectionFixture.stateFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.Decision;
import dev.redisha.coordination.Decision.Action;
import dev.redisha.coordination.DurableState;
import dev.redisha.coordination.Maintenance;
import dev.redisha.coordination.peer.ElectionFixture.FakeClock;
import dev.redisha.coordination.peer.ElectionFixture.InMemoryStateStore;
import dev.redisha.health.RedisHealth;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code switchover --at}: kept in the group's maintenance record, run once by the master when due
 * (wall clock, a fake one here) with a switchover's checks, then cleared; a clock step never runs
 * it twice. Node "a" is master of epoch 5, "b" its replica.
 */
class ScheduledSwitchoverTest {
  /** 2026-12-02T10:00:00Z. */
  private static final long WALL0 = 1_796_205_600_000L;
  private static final long TEN_MINUTES = 600_000;

  private final FakeClock clock = new FakeClock(T0);
  private final FakeClock wall = new FakeClock(WALL0);
  private InMemoryStateStore store;

  private MasterElection start(String me, DurableState file) {
    store = new InMemoryStateStore(file);
    return new MasterElection(config(me), store, clock.now(), s -> {}, wall::now);
  }

  private static RedisHealth masterA() {
    return redisUp(runIdOf("a")).offset(1_000).withReplica("b").build();
  }

  private PeerReport inSyncB() {
    return advert("b").replicaOf("a", 5).offset(1_000).receivedAt(clock.now());
  }

  private Decision decideA(MasterElection a, PeerReport b) {
    return a.decide(masterA(), heard(b), Map.of(), clock.now());
  }

  @Test
  void runsOnceAtItsTimeAsAnOperatorSwitchoverAndIsClearedForGood() {
    MasterElection a = start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    assertEquals(Action.MASTER, decideA(a, inSyncB()).action());

    assertEquals(Optional.empty(), a.scheduleSwitchover("b", WALL0 + TEN_MINUTES));
    assertEquals("switchover to b at 2026-12-02T10:10:00Z", a.maintenance().describeSchedule());
    assertEquals("b", store.load().maintenance().scheduledTo(), "kept on disk: it survives a restart");

    wall.advance(TEN_MINUTES - 1);
    clock.advance(100);
    assertEquals(Action.MASTER, decideA(a, inSyncB()).action(), "not before its time");

    wall.advance(1);
    clock.advance(100);
    Decision due = decideA(a, inSyncB());
    assertEquals(Action.HAND_OVER, due.action(), due.toString());
    assertEquals(Decision.Cause.SWITCHOVER, due.cause());
    assertEquals(Optional.of("b"), due.handoverTo().map(Decision.Target::nodeId));
    assertFalse(a.maintenance().scheduled(), "cleared when it runs");
    assertTrue(a.maintenance().lastScheduleOutcome().contains("started at 2026-12-02T10:10:00Z"),
        a.maintenance().lastScheduleOutcome());
    assertFalse(store.load().maintenance().scheduled(), "cleared on disk too");

    // The handover fails; long after its back-off the wall clock steps back before the due time
    // and forward again: nothing runs a second time.
    a.handoverFinished(due, false, clock.now());
    clock.advance(5 * SWITCHOVER_TIMEOUT_MS + 1);
    wall.advance(-TEN_MINUTES);
    assertEquals(Action.MASTER, decideA(a, inSyncB()).action());
    wall.advance(2 * TEN_MINUTES);
    clock.advance(100);
    Decision later = decideA(a, inSyncB());
    assertEquals(Action.MASTER, later.action(), later.toString());
    assertEquals(Decision.Cause.MASTER_OF_EPOCH, later.cause());
  }

  @Test
  void aTargetNotInSyncAtItsTimeIsRefusedRecordedAndCleared() {
    MasterElection a = start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    decideA(a, inSyncB());
    a.scheduleSwitchover("b", WALL0 + TEN_MINUTES);
    wall.advance(TEN_MINUTES);
    clock.advance(100);

    Decision refused = decideA(a, advert("b").replicaOf("a", 5).offset(1_000).linkUp(false).receivedAt(clock.now()));

    assertEquals(Action.MASTER, refused.action(), refused.toString());
    assertEquals(Decision.Cause.SCHEDULED_SWITCHOVER_REFUSED, refused.cause(), "an event with its own cause code");
    assertTrue(refused.reason().startsWith("scheduled switchover to b at 2026-12-02T10:10:00Z refused at"),
        refused.reason());
    assertTrue(refused.reason().contains("not an in-sync replica"), refused.reason());
    assertFalse(a.maintenance().scheduled());
    assertEquals(refused.reason(), a.maintenance().lastScheduleOutcome(), "shown by every agent's status");

    clock.advance(100);
    assertEquals(Decision.Cause.MASTER_OF_EPOCH, decideA(a, inSyncB()).cause(), "refused once, not again");
  }

  @Test
  void whilePausedItIsRefusedAtItsTime() {
    MasterElection a = start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    decideA(a, inSyncB());
    a.scheduleSwitchover("b", WALL0 + TEN_MINUTES);
    a.setPaused(true, wall.now());
    assertTrue(a.maintenance().scheduled(), "a pause keeps the schedule");
    wall.advance(TEN_MINUTES);
    Decision d = decideA(a, inSyncB());
    assertEquals(Decision.Cause.SCHEDULED_SWITCHOVER_REFUSED, d.cause());
    assertTrue(d.reason().contains("paused"), d.reason());
  }

  @Test
  void badTimesAndTargetsAreRefusedWithASentence() {
    MasterElection a = start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    decideA(a, inSyncB());
    assertTrue(a.scheduleSwitchover("b", WALL0 - 1).orElseThrow().contains("in the past"));
    assertTrue(a.scheduleSwitchover("b", WALL0 + 7L * 24 * 3600 * 1000 + 1).orElseThrow().contains("more than 7 days"));
    assertTrue(a.scheduleSwitchover("zzz", WALL0 + TEN_MINUTES).orElseThrow().contains("no node 'zzz'"));
    assertEquals(Optional.empty(), a.scheduleSwitchover("b", WALL0 + 7L * 24 * 3600 * 1000), "7 days exactly");
    assertTrue(a.scheduleSwitchover("b", WALL0 + TEN_MINUTES).orElseThrow().contains("already scheduled"));
  }

  @Test
  void everyAgentSeesItAndACancelOnAnyAgentReachesTheMaster() {
    MasterElection a = start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    InMemoryStateStore aStore = store;
    decideA(a, inSyncB());
    MasterElection b = start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    RedisHealth replica = redisUp(runIdOf("b")).replicaOf("a").offset(1_000).persisting(true).build();

    // Scheduled on b's agent (a replica), due soon: b only carries it, the master runs it.
    assertEquals(Optional.empty(), b.scheduleSwitchover("b", WALL0 + TEN_MINUTES));
    Decision atB = b.decide(replica, hearing(advertFrom("a", a, masterA())), Map.of(), clock.now());
    assertEquals(Action.REPLICA, atB.action(), atB.toString());
    decideA(a, reportOf(advertFrom("b", b, replica)));
    assertEquals("switchover to b at 2026-12-02T10:10:00Z", a.maintenance().describeSchedule(), "a adopted it");
    assertEquals("b", aStore.load().maintenance().scheduledTo());

    // Due at b first: b is not the master, so it does not run there.
    wall.advance(TEN_MINUTES);
    b.decide(replica, hearing(advertFrom("a", a, masterA())), Map.of(), clock.now());
    assertTrue(b.maintenance().scheduled());

    // Cancelled on b before a ran it.
    assertTrue(b.cancelSwitchover());
    assertFalse(b.maintenance().scheduled());
    Decision atA = decideA(a, reportOf(advertFrom("b", b, replica)));
    assertEquals(Action.MASTER, atA.action(), "cancelled everywhere: " + atA);
    assertFalse(a.maintenance().scheduled());
    assertFalse(b.cancelSwitchover(), "nothing left to cancel");
  }

  private Advert advertFrom(String node, MasterElection e, RedisHealth h) {
    return advertOf(config(node), e, h).withMaintenance(e.maintenance());
  }

  private PeerReport reportOf(Advert a) {
    return new PeerReport(a, clock.now());
  }

  private Map<String, PeerReport> hearing(Advert a) {
    return Map.of(a.nodeId(), reportOf(a));
  }

  @Test
  void theRecordIsOrderedSoTwoAgentsThatChangedItAtOnceAgree() {
    Maintenance base = new Maintenance(false, 3, "a", 1);
    Maintenance x = base.schedule("b", 100, "a");
    Maintenance y = base.schedule("b", 200, "b");
    assertTrue(x.newerThan(base));
    assertTrue(x.newerThan(y) != y.newerThan(x), "one of two states of one version wins");
    assertEquals("", base.unscheduled("a", "").lastScheduleOutcome());
    String longOutcome = "x".repeat(1000);
    assertTrue(x.unscheduled("a", longOutcome).lastScheduleOutcome().length() <= 240, "fits in an advert");
  }
}
