package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.ElectionFixture.SWITCHOVER_TIMEOUT_MS;
import static dev.redisha.coordination.peer.ElectionFixture.DOWN_TIME_MS;
import static dev.redisha.coordination.peer.ElectionFixture.T0;
import static dev.redisha.coordination.peer.ElectionFixture.advert;
import static dev.redisha.coordination.peer.ElectionFixture.config;
import static dev.redisha.coordination.peer.ElectionFixture.heard;
import static dev.redisha.coordination.peer.ElectionFixture.probeHealthyMaster;
import static dev.redisha.coordination.peer.ElectionFixture.probeNoAnswer;
import static dev.redisha.coordination.peer.ElectionFixture.probeRefused;
import static dev.redisha.coordination.peer.ElectionFixture.redisUp;
import static dev.redisha.coordination.peer.ElectionFixture.runIdOf;
import static dev.redisha.coordination.peer.ElectionFixture.stateFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.Decision;
import dev.redisha.coordination.Decision.Action;
import dev.redisha.coordination.peer.ElectionFixture.FakeClock;
import dev.redisha.coordination.peer.ElectionFixture.InMemoryStateStore;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.RedisHealth;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code failover --to b}, decided on b's agent with a fake clock: refused while a serves, for a
 * target behind a's last known offset (unless data loss is allowed), and otherwise run as the
 * automatic takeover is (new epoch, fence, commit before promotion), also while paused.
 */
class ForcedFailoverTest {
  private static final String A_REPL_ID = "replid-" + runIdOf("a");
  private final FakeClock clock = new FakeClock(T0);
  private final Map<String, PeerRedisProbe> probes = new HashMap<>();
  private InMemoryStateStore store;
  private MasterElection b;

  private void startB() {
    store = new InMemoryStateStore(stateFile(5, "a", 5, runIdOf("b"), true));
    b = new MasterElection(config("b"), store, clock.now());
  }

  /** b's Redis, a replica of a's stream at {@code offset}. */
  private static RedisHealth replicaAt(long offset) {
    return redisUp(runIdOf("b")).replicaOf("a").replId(A_REPL_ID).offset(offset).persisting(true).build();
  }

  private Decision decide(RedisHealth h, Map<String, PeerReport> reports) {
    return b.decide(h, reports, probes, clock.now());
  }

  /** a's last advert: the coordinator keeps passing it (as heard then) after a falls silent. */
  private Map<String, PeerReport> lastOfA = Map.of();

  /** a served at {@code offset} when last heard, now; then its agent and Redis go away. */
  private void aLastHeardAt(long offset, RedisHealth mine) {
    probes.put("a", probeHealthyMaster("a"));
    lastOfA = heard(advert("a").masterOf(5).offset(offset).receivedAt(clock.now()));
    decide(mine, lastOfA);
    clock.advance(DOWN_TIME_MS + 1);
    probes.put("a", probeRefused("a"));
  }

  private Map<String, PeerReport> silent() {
    return lastOfA;
  }

  @Test
  void refusedWhileTheMasterIsHealthyAndServing() {
    startB();
    probes.put("a", probeHealthyMaster("a"));
    decide(replicaAt(1_000), heard(advert("a").masterOf(5).offset(1_000).receivedAt(clock.now())));

    String why = b.requestFailover("b", true, clock.now()).orElseThrow();

    assertTrue(why.contains("master a is healthy and serving") && why.contains("switchover --to b"), why);
    assertEquals("", b.pendingSwitchover(clock.now()));
  }

  @Test
  void refusedOnTheWrongAgentForTheCurrentMasterAndWithoutCompleteData() {
    startB();
    aLastHeardAt(1_000, replicaAt(1_000));
    decide(replicaAt(1_000), silent());
    assertTrue(b.requestFailover("a", false, clock.now()).orElseThrow().contains("taken by a's agent"));
    RedisHealth syncing = redisUp(runIdOf("b")).replicaOf("a").replId(A_REPL_ID).syncing().build();
    decide(syncing, silent());
    assertTrue(b.requestFailover("b", false, clock.now()).orElseThrow().contains("no complete copy"));
  }

  @Test
  void aTargetBehindTheLastKnownMasterIsRefusedSayingHowFarUnlessDataLossIsAllowed() {
    startB();
    aLastHeardAt(5_000, replicaAt(1_000));
    decide(replicaAt(1_000), silent());

    String why = b.requestFailover("b", false, clock.now()).orElseThrow();

    assertTrue(why.startsWith("b is 4000 bytes behind the last known master a (a's offset 5000 as last heard"), why);
    assertTrue(why.contains("b's offset 1000") && why.contains("--allow-data-loss"), why);
    assertEquals(Optional.empty(), b.requestFailover("b", true, clock.now()));
    Decision d = decide(replicaAt(1_000), silent());
    assertTrue(d.takeover(), d.toString());
    assertEquals(Decision.Cause.OPERATOR_FAILOVER, d.cause());
    assertFalse(d.fenceCatchUp(), "data loss allowed: the fence does not wait for a catch-up");
  }

  @Test
  void dataFromAnotherReplicationStreamCannotBeComparedAndIsRefused() {
    startB();
    RedisHealth other = redisUp(runIdOf("b")).replicaOf("a").replId("replid-elsewhere").offset(9_000).persisting(true).build();
    aLastHeardAt(1_000, other);
    decide(other, silent());
    String why = b.requestFailover("b", false, clock.now()).orElseThrow();
    assertTrue(why.contains("not from a's replication stream"), why);
  }

  @Test
  void runsAsATakeoverWithTheNextEpochFencingTheOldMasterAlsoWhilePaused() {
    startB();
    b.setPaused(true, 0);
    aLastHeardAt(1_000, replicaAt(1_200));
    probes.put("a", probeNoAnswer("a", 1));
    Decision automatic = decide(replicaAt(1_200), silent());
    assertFalse(automatic.takeover(), "paused: no automatic takeover " + automatic);

    assertEquals(Optional.empty(), b.requestFailover("b", false, clock.now()));
    assertTrue(b.pendingSwitchover(clock.now()).startsWith("forced failover from a to b"), b.pendingSwitchover(clock.now()));
    Decision d = decide(replicaAt(1_200), silent());

    assertEquals(Action.MASTER, d.action(), d.toString());
    assertTrue(d.takeover());
    assertEquals(6, d.epoch());
    assertEquals(Optional.of(ElectionFixture.redisOf("a")), d.fence(), "a's Redis is fenced first if it answers");
    assertEquals(5, store.load().epoch(), "the epoch is committed by the controller, after the fence");
    assertTrue(b.commitTakeover(d, replicaAt(1_200), clock.now()));
    assertEquals(6, store.load().epoch());
    assertEquals("b", store.load().epochMaster());
    assertEquals("", b.pendingSwitchover(clock.now()), "done");
  }

  @Test
  void aFailedFenceDropsTheRequestAndItIsNeverRunLater() {
    startB();
    b.setPaused(true, 0);
    aLastHeardAt(1_000, replicaAt(1_000));
    decide(replicaAt(1_000), silent());
    b.requestFailover("b", false, clock.now());
    Decision d = decide(replicaAt(1_000), silent());
    assertTrue(d.takeover());
    b.takeoverAborted(clock.now());
    assertEquals("", b.pendingSwitchover(clock.now()));
    clock.advance(SWITCHOVER_TIMEOUT_MS + DOWN_TIME_MS);
    assertFalse(decide(replicaAt(1_000), silent()).takeover(), "paused, and the request is gone");
  }
}
