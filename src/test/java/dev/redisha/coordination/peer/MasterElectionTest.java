package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.ElectionFixture.ADVERT_INTERVAL_MS;
import static dev.redisha.coordination.peer.ElectionFixture.BOOTSTRAP_WAIT_MS;
import static dev.redisha.coordination.peer.ElectionFixture.DOWN_TIME_MS;
import static dev.redisha.coordination.peer.ElectionFixture.FLAP_MAX_FAULTS;
import static dev.redisha.coordination.peer.ElectionFixture.FLAP_WINDOW_MS;
import static dev.redisha.coordination.peer.ElectionFixture.PREEMPT_DELAY_MS;
import static dev.redisha.coordination.peer.ElectionFixture.SWITCHOVER_TIMEOUT_MS;
import static dev.redisha.coordination.peer.ElectionFixture.T0;
import static dev.redisha.coordination.peer.ElectionFixture.advert;
import static dev.redisha.coordination.peer.ElectionFixture.advertOf;
import static dev.redisha.coordination.peer.ElectionFixture.config;
import static dev.redisha.coordination.peer.ElectionFixture.heard;
import static dev.redisha.coordination.peer.ElectionFixture.nobody;
import static dev.redisha.coordination.peer.ElectionFixture.ordered;
import static dev.redisha.coordination.peer.ElectionFixture.redisDown;
import static dev.redisha.coordination.peer.ElectionFixture.redisOf;
import static dev.redisha.coordination.peer.ElectionFixture.redisUp;
import static dev.redisha.coordination.peer.ElectionFixture.runIdOf;
import static dev.redisha.coordination.peer.ElectionFixture.stateFile;
import static dev.redisha.coordination.peer.ElectionFixture.probeAnswers;
import static dev.redisha.coordination.peer.ElectionFixture.probeBusy;
import static dev.redisha.coordination.peer.ElectionFixture.probeHealthyMaster;
import static dev.redisha.coordination.peer.ElectionFixture.probeNoAnswer;
import static dev.redisha.coordination.peer.ElectionFixture.probeRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Decision;
import dev.redisha.coordination.Decision.Action;
import dev.redisha.coordination.DurableState;
import dev.redisha.coordination.peer.ElectionFixture.FakeClock;
import dev.redisha.coordination.peer.ElectionFixture.InMemoryStateStore;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.RedisHealth;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The peer backend's rules (DESIGN §3, §4), decided with a fake clock and an in-memory state file.
 * Node "a" (priority 150) is the preferred master, "b" (priority 100) the usual replica; each test
 * starts the election of the node whose decisions it checks.
 */
class MasterElectionTest {
  /** VRRP-style skew of a priority-100 node: lower priorities wait a little longer. */
  private static final long SKEW_B_MS = (256 - 100) * ADVERT_INTERVAL_MS / 256;
  /** How long a master waits after a failed handover before it tries again. */
  private static final long HANDOVER_BACKOFF_MS = 5 * SWITCHOVER_TIMEOUT_MS;

  private final FakeClock clock = new FakeClock(T0);
  private InMemoryStateStore store;
  private MasterElection election;
  /** This node's own probes of the peers' Redis, as the test sets them. */
  private final Map<String, PeerRedisProbe> probes = new HashMap<>();

  private void probe(PeerRedisProbe p) {
    probes.put(p.nodeId(), p);
  }

  private MasterElection start(String me, DurableState file) {
    return start(config(me), file);
  }

  private MasterElection start(NodeConfig c, DurableState file) {
    store = new InMemoryStateStore(file);
    election = new MasterElection(c, store, clock.now());
    return election;
  }

  private Decision decide(RedisHealth h, Map<String, PeerReport> reports) {
    return decide(election, h, reports);
  }

  private Decision decide(MasterElection e, RedisHealth h, Map<String, PeerReport> reports) {
    Decision d = e.decide(h, reports, probes, clock.now());
    assertFalse(d.reason().isBlank(), "every decision says why: " + d);
    return d;
  }

  // ---------------------------------------------------------------- fresh group, bootstrap

  @Test
  void startingNodeWaitsDuringBootstrap() {
    start("a", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("a")).build();

    Decision first = decide(up, nobody());
    clock.advance(BOOTSTRAP_WAIT_MS - 1);
    Decision last = decide(up, nobody());

    for (Decision d : new Decision[] {first, last}) {
      assertEquals(Action.WAIT, d.action(), d.toString());
      assertEquals("", d.masterNode());
      assertFalse(d.takeover());
      assertMentions(d, "bootstrap");
    }
    assertEquals(AgentState.STARTING, election.state());
  }

  @Test
  void higherPriorityNodeTakesOverFreshGroupWithEpochOne() {
    start("a", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("a")).build();

    Decision d = decide(up, heard(advert("b").receivedAt(clock.now())));

    assertTakeover(d, 1, "a", Optional.empty(), false);
    assertEquals(0, store.load().epoch(), "the epoch is committed by the controller, after fencing");
    assertTrue(election.commitTakeover(d, up, clock.now()));
    assertEquals(new DurableState(1, "a", 1, runIdOf("a"), false), store.load());
  }

  @Test
  void nodeAloneAfterBootstrapTakesOverFreshGroup() {
    start("a", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("a")).build();
    probe(probeRefused("b"));
    decide(up, nobody());
    clock.advance(BOOTSTRAP_WAIT_MS);

    assertTakeover(decide(up, nobody()), 1, "a", Optional.empty(), false);
  }

  @Test
  void nodeAloneAfterBootstrapDoesNotPromotePastAPeerRedisThatAnswersAsMasterWithData() {
    // Its agent is not heard (a different key, a dead agent): its Redis still speaks for it.
    start("a", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("a")).build();
    probe(probeAnswers("b", redisUp(runIdOf("b")).keys(5_000).offset(12_345).build()));
    clock.advance(BOOTSTRAP_WAIT_MS);

    Decision d = decide(up, nobody());

    assertEquals(Action.WAIT, d.action(), d.toString());
    assertMentions(d, "b's redis answers as a master holding 5000 keys");
    assertEquals(d.reason(), election.warning(), "shown in status");
  }

  @Test
  void nodeAloneDoesNotPromoteBesideAnUnheardPeerRedisThatIsAnEmptyMaster() {
    start("b", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("b")).build();
    probe(probeHealthyMaster("a")); // a fresh master: no keys, offset 0, but writable
    clock.advance(BOOTSTRAP_WAIT_MS);

    Decision d = decide(up, nobody());

    assertEquals(Action.WAIT, d.action(), d.toString());
    assertMentions(d, "a's redis answers as a master");
  }

  @Test
  void aNewerEpochIsAdoptedFromAnAdvertThatArrivedLate() {
    // A starved host: a's adverts reach b later than the down time, after a was elected.
    start("b", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("b")).build();
    probe(probeHealthyMaster("a"));
    PeerReport late = advert("a").masterOf(1).receivedAt(clock.now());
    clock.advance(BOOTSTRAP_WAIT_MS);

    Decision d = decide(up, heard(late));

    assertEquals(1, election.durable().epoch(), "a's epoch 1 is known although its advert is stale");
    assertEquals("a", election.durable().epochMaster());
    assertFalse(d.takeover(), d.toString());
  }

  @Test
  void nodeAloneWaitsForAFirstProbeOfEveryPeerItDoesNotHear() {
    start("a", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("a")).build();
    clock.advance(BOOTSTRAP_WAIT_MS);

    Decision d = decide(up, nobody());

    assertEquals(Action.WAIT, d.action(), d.toString());
    assertMentions(d, "not yet probed b's redis");
  }

  @Test
  void lowerPriorityNodeWaitsForTheHigherOneInFreshGroup() {
    start("b", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("b")).build();

    Decision waiting = decide(up, heard(advert("a").receivedAt(clock.now())));
    assertEquals(Action.WAIT, waiting.action(), waiting.toString());
    assertEquals("", waiting.masterNode());
    assertMentions(waiting, "a is the best candidate");

    clock.advance(ADVERT_INTERVAL_MS);
    Decision following = decide(up, heard(advert("a").masterOf(1).receivedAt(clock.now())));
    assertReplicaOf(following, 1, "a");
  }

  @Test
  void nodeWaitsWhilePeerRedisIsStillStarting() {
    start("a", DurableState.fresh());
    RedisHealth up = redisUp(runIdOf("a")).build();

    Decision d = decide(up, heard(advert("b").redisDown().receivedAt(clock.now())));
    clock.advance(BOOTSTRAP_WAIT_MS);
    Decision later = decide(up, heard(advert("b").redisDown().receivedAt(clock.now())));

    for (Decision x : new Decision[] {d, later}) {
      assertEquals(Action.WAIT, x.action(), x.toString());
      assertEquals("", x.masterNode());
      assertMentions(x, "redis to answer");
    }
  }

  // ---------------------------------------------------------------- cold start (F11)

  @Test
  void masterRestartedWithoutPersistenceLosesItsDataClaimOnColdStart() {
    start("a", stateFile(5, "a", 5, "run-a-before-restart", false));
    RedisHealth emptyRedis = redisUp(runIdOf("a")).keys(0).build();
    PeerReport b = advert("b").state(AgentState.STARTING).epoch(5, "a").dataEpoch(5).keys(1_000).persisting(true)
        .receivedAt(clock.now());

    Decision d = decide(emptyRedis, heard(b));

    assertEquals(Action.FAULT, d.action(), d.toString());
    assertEquals(5, d.epoch());
    assertEquals(Optional.empty(), d.follow(), "nobody is a healthy master yet: stay parked");
    assertMentions(d, "without its data");
    assertEquals(-1, store.load().dataEpoch(), "the lost data claim is made durable");
    assertEquals(AgentState.FAULT, election.state());
  }

  @Test
  void nodeWithDataWinsColdStart() {
    NodeConfig ca = config("a");
    NodeConfig cb = config("b");
    MasterElection a = new MasterElection(ca, new InMemoryStateStore(stateFile(5, "a", 5, "run-a-before", false)), clock.now());
    MasterElection b = new MasterElection(cb, new InMemoryStateStore(stateFile(5, "a", 5, "run-b-before", true)), clock.now());
    RedisHealth aRedis = redisUp(runIdOf("a")).keys(0).build();
    RedisHealth bRedis = redisUp(runIdOf("b")).keys(1_000).persisting(true).build();

    // Before A's agent has decided anything it still advertises its old claim as STARTING.
    Advert aStarting = advertOf(ca, a, aRedis);
    Decision bEarly = decide(b, bRedis, heard(new PeerReport(aStarting, clock.now())));
    assertEquals(Action.WAIT, bEarly.action(), bEarly.toString());

    clock.advance(10);
    Decision aDecision = decide(a, aRedis, heard(new PeerReport(advertOf(cb, b, bRedis), clock.now())));
    assertEquals(Action.FAULT, aDecision.action(), aDecision.toString());
    assertEquals(-1, a.durable().dataEpoch());

    clock.advance(10);
    Advert aFault = advertOf(ca, a, aRedis);
    // A's controller parks its restarted server at once; B's probe sees it a replica.
    probe(probeAnswers("a", redisUp(runIdOf("a")).parked("a").build()));
    Decision d = decide(b, bRedis, heard(new PeerReport(aFault, clock.now())));

    assertEquals(Action.MASTER, d.action(), d.toString());
    assertTrue(d.takeover());
    assertEquals(6, d.epoch());
    assertEquals("b", d.masterNode());
    assertEquals(Optional.of(redisOf("a")), d.fence(), "A's empty Redis is demoted before B is promoted");
    assertMentions(d, "taking over from a");
    assertEquals(5, b.durable().dataEpoch(), "a persisting Redis keeps its data across a restart");
  }

  // ---------------------------------------------------------------- replica and failover

  @Test
  void replicaFollowsHealthyMaster() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));

    Decision d = decide(replicaOfA().build(), heard(healthyMasterA()));

    assertReplicaOf(d, 5, "a");
    assertEquals(AgentState.REPLICA, election.state());
    assertEquals(5, election.durable().dataEpoch());
  }

  @Test
  void replicaTakesOverAtOnceWhenMasterAgentReportsFault() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    assertReplicaOf(decide(replicaOfA().build(), heard(healthyMasterA())), 5, "a");

    clock.advance(ADVERT_INTERVAL_MS);
    PeerReport aFault = advert("a").masterOf(5).state(AgentState.FAULT).redisDown().receivedAt(clock.now());
    probe(probeRefused("a"));
    Decision d = decide(replicaOfA().linkDown().build(), heard(aFault));

    assertTakeover(d, 6, "b", Optional.of(redisOf("a")), false);
    assertMentions(d, "FAULT");
    assertMentions(d, "my probe agrees");
  }

  @Test
  void masterAgentsFaultReportIsNotActedOnWhileItsRedisAnswersMyProbeAsAHealthyMaster() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    assertReplicaOf(decide(replicaOfA().build(), heard(healthyMasterA())), 5, "a");

    clock.advance(ADVERT_INTERVAL_MS);
    PeerReport aFault = advert("a").masterOf(5).state(AgentState.FAULT).redisDown().receivedAt(clock.now());
    probe(probeHealthyMaster("a"));
    Decision d = decide(replicaOfA().build(), heard(aFault));

    assertEquals(Action.WAIT, d.action(), d.toString());
    assertMentions(d, "answers as a healthy master");
  }

  @Test
  void replicaTakesOverFromSilentMasterOnlyAfterDownTimeAndSkew() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    PeerReport lastHeard = healthyMasterA();
    assertReplicaOf(decide(replicaOfA().build(), heard(lastHeard)), 5, "a");

    clock.advance(DOWN_TIME_MS);
    assertReplicaOf(decide(replicaOfA().build(), heard(lastHeard)), 5, "a");

    clock.advance(SKEW_B_MS - 1);
    Decision early = decide(replicaOfA().build(), heard(lastHeard));
    assertEquals(Action.WAIT, early.action(), early.toString());
    assertEquals("a", early.masterNode());
    assertMentions(early, "silent");

    clock.advance(1);
    probe(probeNoAnswer("a", 1));
    Decision oneMissed = decide(replicaOfA().build(), heard(lastHeard));
    assertEquals(Action.WAIT, oneMissed.action(), "one probe without an answer is no evidence: " + oneMissed);
    assertMentions(oneMissed, "waiting for evidence");

    probe(new PeerRedisProbe("a", redisOf("a"), PeerRedisProbe.Outcome.NO_ANSWER, Optional.empty(), 2, -1, -1,
        clock.now(), "Read timed out"));
    Decision d = decide(replicaOfA().build(), heard(lastHeard));
    // Its probes just found it unreachable: a fence would only wait out the same timeout again.
    assertTakeover(d, 6, "b", Optional.empty(), false);
    assertMentions(d, "silent");
    assertMentions(d, "no answer to 2 probes");
  }

  @Test
  void silentMasterAgentBesideAHealthyRedisIsReportedNotFailedOver() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    PeerReport lastHeard = healthyMasterA();
    probe(probeHealthyMaster("a"));
    assertReplicaOf(decide(replicaOfA().build(), heard(lastHeard)), 5, "a");

    // Its agent starved of CPU for seconds; its Redis answers every probe.
    for (int i = 0; i < 50; i++) {
      clock.advance(ADVERT_INTERVAL_MS);
      Decision d = decide(replicaOfA().build(), heard(lastHeard));
      assertNotEquals(Action.MASTER, d.action(), d.toString());
      assertFalse(d.takeover(), d.toString());
    }
    Decision d = decide(replicaOfA().build(), heard(lastHeard));
    assertReplicaOf(d, 5, "a");
    assertMentions(d, "a's agent silent for");
    assertMentions(d, "its redis healthy: no action");
    assertEquals(d.reason(), election.warning(), "the status shows it");

    // Then its Redis dies too: now there is evidence.
    probe(probeRefused("a"));
    Decision after = decide(replicaOfA().linkDown().build(), heard(lastHeard));
    assertTakeover(after, 6, "b", Optional.of(redisOf("a")), false);
    assertMentions(after, "refuses connections");
  }

  @Test
  void silentMasterWhoseRedisIsBusyIsAlive() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    PeerReport lastHeard = healthyMasterA();
    assertReplicaOf(decide(replicaOfA().build(), heard(lastHeard)), 5, "a");
    probe(probeBusy("a", clock.now()));
    clock.advance(10 * DOWN_TIME_MS);

    Decision d = decide(replicaOfA().build(), heard(lastHeard));

    assertEquals(Action.WAIT, d.action(), d.toString());
    assertMentions(d, "busy running a script");
    assertFalse(d.fenceMayShutDown());
  }

  @Test
  void silentMasterBusyPastTheShutdownLimitIsTakenOverWithAFenceThatMayShutItDown() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    PeerReport lastHeard = healthyMasterA();
    assertReplicaOf(decide(replicaOfA().build(), heard(lastHeard)), 5, "a");
    probe(probeBusy("a", clock.now()));
    clock.advance(dev.redisha.config.HealthConfig.DEFAULT_BUSY_SHUTDOWN_AFTER_MS);

    Decision d = decide(replicaOfA().build(), heard(lastHeard));

    assertTakeover(d, 6, "b", Optional.of(redisOf("a")), true);
    assertTrue(d.fenceMayShutDown(), d.toString());
    assertMentions(d, "busy_shutdown_after_ms");
  }

  @Test
  void silentMasterWhoseRedisRestartedIsTakenOverWithAFence() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    PeerReport lastHeard = healthyMasterA();
    assertReplicaOf(decide(replicaOfA().build(), heard(lastHeard)), 5, "a");
    clock.advance(2 * DOWN_TIME_MS);
    probe(probeAnswers("a", redisUp("run-a-restarted").build()));

    Decision d = decide(replicaOfA().linkDown().build(), heard(lastHeard));

    assertTakeover(d, 6, "b", Optional.of(redisOf("a")), true);
    assertMentions(d, "restarted");
  }

  @Test
  void plannedHandoverToMeIsNotOverriddenWhenTheMasterGoesSilentMidWay() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    assertReplicaOf(decide(replicaOfA().build(), heard(healthyMasterA())), 5, "a");
    PeerReport handingOver = advert("a").masterOf(5).handingOverTo("b").receivedAt(clock.now());
    decide(replicaOfA().build(), heard(handingOver));
    // Its Redis is paused for the handover (INFO still answers); its agent is busy and silent.
    probe(probeHealthyMaster("a"));
    clock.advance(DOWN_TIME_MS + 100);

    Decision d = decide(replicaOfA().build(), heard(handingOver));

    assertEquals(Action.WAIT, d.action(), d.toString());
    assertMentions(d, "handing over to me");

    // A host lost mid-way is still a failure: its Redis stops answering.
    probe(probeNoAnswer("a", 2));
    Decision lost = decide(replicaOfA().build(), heard(handingOver));
    assertTrue(lost.takeover(), lost.toString());
  }

  @Test
  void replicaTakesOverAtOnceWhenMasterRedisRefusesConnections() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));

    probe(probeRefused("a"));
    Decision d = decide(replicaOfA().linkDown().build(), heard(healthyMasterA()));

    assertTakeover(d, 6, "b", Optional.of(redisOf("a")), false);
    assertMentions(d, "refuses");
  }

  @Test
  void replicaTakesOverAtOnceWhenMasterRedisAnswersWithAnotherRunId() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));

    decide(replicaOfA().build(), heard(healthyMasterA()));
    probe(probeAnswers("a", redisUp("run-a-restarted").build()));
    Decision d = decide(replicaOfA().linkDown().build(), heard(healthyMasterA()));

    assertTakeover(d, 6, "b", Optional.of(redisOf("a")), false);
    assertMentions(d, "restarted");
  }

  @Test
  void upstreamTimeoutDoesNotTriggerTakeover() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));

    probe(probeNoAnswer("a", 5));
    Decision d = decide(replicaOfA().linkDown().build(), heard(healthyMasterA()));

    assertReplicaOf(d, 5, "a");
  }

  @Test
  void replicaInTheMiddleOfFullSyncDoesNotTakeOver() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    PeerReport aFault = advert("a").masterOf(5).state(AgentState.FAULT).redisDown().receivedAt(clock.now());
    probe(probeRefused("a"));

    Decision d = decide(replicaOfA().syncing().build(), heard(aFault));

    assertEquals(Action.WAIT, d.action(), d.toString());
    assertMentions(d, "no complete copy");
  }

  @Test
  void candidateWithMostRecentDataWinsOverHigherPriority() {
    Map<String, Integer> trio = ordered("a", 150, "b", 100, "c", 50);
    PeerReport aFault = advert("a").masterOf(5).state(AgentState.FAULT).redisDown().receivedAt(clock.now());
    PeerReport bBehind = advert("b").replicaOf("a", 5).offset(900).linkUp(false).receivedAt(clock.now());
    PeerReport cAhead = advert("c").priority(50).replicaOf("a", 5).offset(1_000).linkUp(false).receivedAt(clock.now());

    start(config("b", trio), stateFile(5, "a", 5, runIdOf("b"), true));
    probe(probeRefused("a"));
    Decision atB = decide(replicaOfA().linkDown().offset(900).build(), heard(aFault, cAhead));
    assertEquals(Action.WAIT, atB.action(), atB.toString());
    assertMentions(atB, "c is the better candidate");

    start(config("c", trio), stateFile(5, "a", 5, runIdOf("c"), true));
    Decision atC = decide(redisUp(runIdOf("c")).replicaOf("a").linkDown().offset(1_000).persisting(true).build(),
        heard(aFault, bBehind));
    assertTakeover(atC, 6, "c", Optional.of(redisOf("a")), false);
  }

  // ---------------------------------------------------------------- rule 1: no empty master

  @Test
  void masterWhoseRedisRestartedWhileNotPersistingFaults() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    PeerReport b = inSyncReplicaB();
    assertEquals(Action.MASTER, decide(masterA().build(), heard(b)).action());

    clock.advance(ADVERT_INTERVAL_MS);
    RedisHealth restartedEmpty = redisUp("run-a-restarted").keys(0).build();
    Decision d = decide(restartedEmpty, heard(advert("b").replicaOf("a", 5).linkUp(false).receivedAt(clock.now())));

    assertEquals(Action.FAULT, d.action(), d.toString());
    assertEquals("a", d.masterNode());
    assertEquals(Optional.empty(), d.follow(), "an empty Redis is parked, never a sync source");
    assertMentions(d, "not persisting");
    assertEquals(-1, store.load().dataEpoch());

    clock.advance(ADVERT_INTERVAL_MS);
    Decision again = decide(restartedEmpty, heard(advert("b").replicaOf("a", 5).linkUp(false).receivedAt(clock.now())));
    assertEquals(Action.FAULT, again.action(), "it stays FAULT: " + again);
  }

  @Test
  void restartedNotPersistingMasterNeverBecomesMasterAloneAfterBootstrap() {
    start("a", stateFile(5, "a", 5, "run-a-before-restart", false));
    RedisHealth restartedEmpty = redisUp(runIdOf("a")).keys(0).build();

    for (long t = 0; t <= 3 * BOOTSTRAP_WAIT_MS; t += ADVERT_INTERVAL_MS) {
      Decision d = decide(restartedEmpty, nobody());
      assertEquals(Action.FAULT, d.action(), "at +" + t + " ms: " + d);
      assertFalse(d.takeover());
      clock.advance(ADVERT_INTERVAL_MS);
    }
    assertEquals(-1, store.load().dataEpoch());
  }

  @Test
  void restartedNotPersistingReplicaNeverTakesOverAloneAfterBootstrap() {
    start("b", stateFile(5, "a", 5, "run-b-before-restart", false));
    RedisHealth restartedEmpty = redisUp(runIdOf("b")).keys(0).build();
    probe(probeRefused("a"));

    Decision last = null;
    for (long t = 0; t <= 3 * BOOTSTRAP_WAIT_MS; t += ADVERT_INTERVAL_MS) {
      last = decide(restartedEmpty, nobody());
      assertNotEquals(Action.MASTER, last.action(), "at +" + t + " ms: " + last);
      clock.advance(ADVERT_INTERVAL_MS);
    }
    assertEquals(Action.WAIT, last.action(), last.toString());
    assertMentions(last, "no complete copy");
  }

  @Test
  void masterRestartedFromDiskParkedYieldsToReplicaHoldingTheEpochsData() {
    // Managed mode: the agent restarts redis-server parked (a replica of itself).
    start("a", stateFile(5, "a", 5, runIdOf("a"), true));
    assertEquals(Action.MASTER, decide(masterA().persisting(true).build(), heard(inSyncReplicaB())).action());

    clock.advance(ADVERT_INTERVAL_MS);
    RedisHealth fromDisk = redisUp("run-a-restarted").parked("a").keys(900).persisting(true).build();
    Decision d = decide(fromDisk, heard(advert("b").replicaOf("a", 5).linkUp(false).receivedAt(clock.now())));

    assertEquals(Action.FAULT, d.action(), d.toString());
    assertEquals(Optional.empty(), d.follow());
    assertMentions(d, "restarted from disk", "b holds newer data");
  }

  @Test
  void masterRestartedFromDiskAsMasterYieldsToReplicaHoldingTheEpochsData() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), true));
    assertEquals(Action.MASTER, decide(masterA().persisting(true).build(), heard(inSyncReplicaB())).action());

    clock.advance(ADVERT_INTERVAL_MS);
    RedisHealth fromDisk = redisUp("run-a-restarted").keys(900).persisting(true).build();
    Decision d = decide(fromDisk, heard(advert("b").replicaOf("a", 5).linkUp(false).receivedAt(clock.now())));

    assertEquals(Action.FAULT, d.action(), d.toString());
    assertMentions(d, "restarted from disk", "b holds newer data");
  }

  @Test
  void masterRestartedFromDiskOnColdStartWaitsUntilThePeersRedisAnswers() {
    // Both hosts lost power; a was the master and persisting (the last copy) at the time.
    start("a", stateFile(5, "a", 5, "run-a-before-restart", true));
    RedisHealth fromDisk = redisUp(runIdOf("a")).parked("a").keys(900).persisting(true).build();
    PeerReport bStarting = advert("b").state(AgentState.STARTING).epoch(5, "a").dataEpoch(5).redisDown()
        .receivedAt(clock.now());

    Decision early = decide(fromDisk, heard(bStarting));

    assertEquals(Action.WAIT, early.action(), "b may hold newer data than a's file: " + early);
    assertEquals(AgentState.STARTING, election.state(), "not advertised as master while unconfirmed");
    assertMentions(early, "restarted from disk", "waiting");

    clock.advance(ADVERT_INTERVAL_MS);
    PeerReport bUp = advert("b").state(AgentState.STARTING).epoch(5, "a").dataEpoch(5).keys(1_000).persisting(true)
        .receivedAt(clock.now());
    Decision d = decide(fromDisk, heard(bUp));

    assertEquals(Action.FAULT, d.action(), d.toString());
    assertMentions(d, "restarted from disk", "b holds newer data");
  }

  @Test
  void masterRestartedFromDiskKeepsItsDataWhenThePeerAnswersWithoutData() {
    start("a", stateFile(5, "a", 5, "run-a-before-restart", true));
    RedisHealth fromDisk = redisUp(runIdOf("a")).parked("a").keys(900).persisting(true).build();
    PeerReport bEmpty = advert("b").state(AgentState.FAULT).epoch(5, "a").dataEpoch(-1).keys(0)
        .receivedAt(clock.now());

    Decision d = decide(fromDisk, heard(bEmpty));

    assertEquals(Action.MASTER, d.action(), "a's file is the last copy: " + d);
    assertEquals(5, store.load().dataEpoch());
  }

  @Test
  void masterRestartedFromAStaleFileYieldsToAReplicaFurtherAlongItsStreamBeforeThatReplicaClaims() {
    // a persisted as the last copy; its replica b synced, and a crashed before b's claim was out.
    start("a", stateFile(5, "a", 5, runIdOf("a"), true));
    RedisHealth stale = redisUp("run-a-restarted").parked("a").replId("R1").offset(1_000).keys(50)
        .persisting(true).build();
    PeerReport b = advert("b").replicaOf("a", 5).linkUp(false).dataEpoch(-1).replId("R1").offset(2_905).keys(100)
        .receivedAt(clock.now());

    Decision d = decide(stale, heard(b));

    assertEquals(Action.FAULT, d.action(), "b would resync from a's older file: " + d);
    assertMentions(d, "restarted from disk", "b holds newer data", "2905");
  }

  @Test
  void masterRestartedFromDiskWaitsBrieflyForAPeerWithKeysButNoClaimYet() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), true));
    RedisHealth fromDisk = redisUp("run-a-restarted").parked("a").replId("R-new").keys(50).persisting(true).build();
    PeerReport b = advert("b").replicaOf("a", 5).linkUp(false).dataEpoch(-1).replId("R-other").keys(100)
        .receivedAt(clock.now());

    Decision early = decide(fromDisk, heard(b));
    assertEquals(Action.WAIT, early.action(), early.toString());
    assertEquals(AgentState.STARTING, election.state());

    clock.advance(2 * DOWN_TIME_MS);
    Decision later = decide(fromDisk, heard(advert("b").replicaOf("a", 5).linkUp(false).dataEpoch(-1)
        .replId("R-other").keys(100).receivedAt(clock.now())));
    assertEquals(Action.MASTER, later.action(), "no claim came: a's file is the best copy there is: " + later);
  }

  @Test
  void replicaClaimsTheEpochsDataByReplicationIdWhenTheMasterDiesBeforeItsProbeSawTheLinkUp() {
    start("b", stateFile(5, "a", -1, runIdOf("b"), true));
    PeerReport healthyA = advert("a").masterOf(5).replId("R1").offset(2_000).receivedAt(clock.now());
    Decision syncing = decide(redisUp(runIdOf("b")).replicaOf("a").syncing().persisting(true).build(), heard(healthyA));
    assertEquals(-1, election.durable().dataEpoch(), "no claim in the middle of a full sync: " + syncing);

    // The sync finished and a died before b's next probe: b's Redis carries a's replication id.
    clock.advance(ADVERT_INTERVAL_MS);
    RedisHealth afterSync = redisUp(runIdOf("b")).replicaOf("a").linkDown().replId("R1").offset(2_000).keys(100)
        .persisting(true).build();
    probe(probeRefused("a"));
    Decision d = decide(afterSync, heard(advert("a").masterOf(5).replId("R1").offset(2_000).receivedAt(clock.now() - 50)));

    assertEquals(5, election.durable().dataEpoch(), "b holds epoch 5's data");
    assertEquals(Action.MASTER, d.action(), d.toString());
    assertTrue(d.takeover());
    assertEquals(6, d.epoch());
  }

  // ---------------------------------------------------------------- epochs

  @Test
  void masterStepsDownWhenPeerHasHigherEpoch() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    assertEquals(Action.MASTER, decide(masterA().build(), heard(inSyncReplicaB())).action());

    clock.advance(ADVERT_INTERVAL_MS);
    Decision d = decide(masterA().build(), heard(advert("b").masterOf(6).receivedAt(clock.now())));

    assertReplicaOf(d, 6, "b");
    assertEquals(AgentState.REPLICA, election.state());
    assertEquals(6, store.load().epoch(), "the newer epoch is kept on disk");
    assertEquals("b", store.load().epochMaster());
  }

  @Test
  void tieAtSameEpochIsWonByHigherPriority() {
    start("b", stateFile(5, "b", 5, runIdOf("b"), false));
    Decision atB = decide(redisUp(runIdOf("b")).build(), heard(advert("a").masterOf(5).receivedAt(clock.now())));
    assertReplicaOf(atB, 5, "a");

    start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    Decision atA = decide(masterA().build(), heard(advert("b").masterOf(5).receivedAt(clock.now())));
    assertEquals(Action.MASTER, atA.action(), atA.toString());
    assertEquals("a", atA.masterNode());
    assertEquals(5, atA.epoch());
  }

  @Test
  void tieAtSameEpochAndPriorityIsWonByLowerNodeId() {
    Map<String, Integer> equals = ordered("a", 100, "b", 100);

    start(config("b", equals), stateFile(5, "b", 5, runIdOf("b"), false));
    Decision atB = decide(redisUp(runIdOf("b")).build(),
        heard(advert("a").priority(100).masterOf(5).receivedAt(clock.now())));
    assertReplicaOf(atB, 5, "a");

    start(config("a", equals), stateFile(5, "a", 5, runIdOf("a"), false));
    Decision atA = decide(masterA().build(), heard(advert("b").priority(100).masterOf(5).receivedAt(clock.now())));
    assertEquals(Action.MASTER, atA.action(), atA.toString());
    assertEquals("a", atA.masterNode());
  }

  // ---------------------------------------------------------------- preemption and handover

  @Test
  void preferredInSyncReplicaAsksForRoleOnlyAfterPreemptDelay() {
    start("a", stateFile(5, "b", 5, runIdOf("a"), true));
    RedisHealth inSync = redisUp(runIdOf("a")).replicaOf("b").offset(1_000).persisting(true).build();

    Decision first = decide(inSync, heard(masterB()));
    assertReplicaOf(first, 5, "b");
    assertFalse(election.wantsMaster());

    clock.advance(PREEMPT_DELAY_MS - 1);
    decide(inSync, heard(masterB()));
    assertFalse(election.wantsMaster(), "not before preempt_delay_ms");

    clock.advance(1);
    Decision asking = decide(inSync, heard(masterB()));
    assertReplicaOf(asking, 5, "b");
    assertTrue(election.wantsMaster());
    assertMentions(asking, "hand the role back");
  }

  @Test
  void masterHandsOverToPreferredReplicaThatAsksAndMovesToNextEpoch() {
    start("b", stateFile(5, "b", 5, runIdOf("b"), false));

    Decision d = decide(bRedisAsMaster().build(), heard(preferredReplicaAAsking()));

    assertEquals(Action.HAND_OVER, d.action(), d.toString());
    assertEquals(5, d.epoch());
    assertEquals("b", d.masterNode());
    assertEquals(Optional.of(new Decision.Target("a", redisOf("a"))), d.handoverTo());
    assertMentions(d, "higher priority");
    assertEquals("a", election.handoverTo(), "advertised so that a accepts");
    assertEquals(AgentState.HANDING_OVER, election.state());

    election.handoverFinished(d, true, clock.now());

    assertEquals(6, store.load().epoch());
    assertEquals("a", store.load().epochMaster());
    assertEquals("", election.handoverTo());
  }

  @Test
  void operatorSwitchoverIsRefusedWithTheReasonWhenItCannotHappenNow() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    decide(masterA().build(), heard(inSyncReplicaB()));

    assertMentions(refusal(Optional.of("zzz")), "no node 'zzz'", "nodes: a, b");
    assertMentions(refusal(Optional.of("a")), "a is already the master");

    clock.advance(DOWN_TIME_MS + 1);
    decide(masterA().build(), heard(advert("b").replicaOf("a", 5).offset(1_000).receivedAt(T0)));
    assertMentions(refusal(Optional.of("b")), "b's agent is not heard");

    PeerReport behind = advert("b").replicaOf("a", 5).offset(1_000).linkUp(false).receivedAt(clock.now());
    decide(masterA().build(), heard(behind));
    assertMentions(refusal(Optional.of("b")), "not an in-sync replica", "link down");
    assertMentions(refusal(Optional.empty()), "no in-sync replica");
    assertEquals("", election.pendingSwitchover(clock.now()), "nothing refused is left pending");
  }

  @Test
  void acceptedSwitchoverRunsOrExpiresButNeverRunsUnpromptedLater() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    decide(masterA().build(), heard(inSyncReplicaB()));
    assertEquals(Optional.empty(), election.requestSwitchover(Optional.of("b"), clock.now()));
    assertMentions(Decision.waiting(0, "", Decision.Cause.SWITCHOVER, election.pendingSwitchover(clock.now())), "to b");

    // b falls behind before the handover could start, and stays behind past the request's life.
    PeerReport behind = advert("b").replicaOf("a", 5).offset(1_000).linkUp(false).receivedAt(clock.now());
    assertEquals(Action.MASTER, decide(masterA().build(), heard(behind)).action());
    clock.advance(dev.redisha.config.FailoverConfig.DEFAULT_SWITCHOVER_REQUEST_TIMEOUT_MS + 1);
    decide(masterA().build(), heard(advert("b").replicaOf("a", 5).offset(1_000).linkUp(false).receivedAt(clock.now())));
    assertEquals("", election.pendingSwitchover(clock.now()), "expired");

    // b in sync again much later: the old request does not run by itself.
    Decision later = decide(masterA().build(), heard(inSyncReplicaB()));
    assertEquals(Action.MASTER, later.action(), later.toString());
  }

  @Test
  void pendingSwitchoverCanBeCancelled() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    decide(masterA().build(), heard(inSyncReplicaB()));
    election.requestSwitchover(Optional.of("b"), clock.now());
    assertTrue(election.cancelSwitchover());
    assertFalse(election.cancelSwitchover(), "nothing left to cancel");
    assertEquals(Action.MASTER, decide(masterA().build(), heard(inSyncReplicaB())).action());
  }

  private Decision refusal(Optional<String> to) {
    Optional<String> why = election.requestSwitchover(to, clock.now());
    assertTrue(why.isPresent(), "a switchover " + to + " was accepted");
    return Decision.waiting(0, "", Decision.Cause.SWITCHOVER, why.get());
  }

  @Test
  void failedHandoverIsNotRetriedBeforeBackOff() {
    start("b", stateFile(5, "b", 5, runIdOf("b"), false));
    Decision d = decide(bRedisAsMaster().build(), heard(preferredReplicaAAsking()));
    assertEquals(Action.HAND_OVER, d.action(), d.toString());

    election.handoverFinished(d, false, clock.now());
    assertEquals(5, store.load().epoch(), "a failed handover changes no epoch");
    assertEquals("b", store.load().epochMaster());

    clock.advance(1);
    assertEquals(Action.MASTER, decide(bRedisAsMaster().build(), heard(preferredReplicaAAsking())).action());
    clock.advance(HANDOVER_BACKOFF_MS - 2);
    Decision stillBackingOff = decide(bRedisAsMaster().build(), heard(preferredReplicaAAsking()));
    assertEquals(Action.MASTER, stillBackingOff.action(), stillBackingOff.toString());
    assertEquals("", election.handoverTo());

    clock.advance(1);
    Decision retry = decide(bRedisAsMaster().build(), heard(preferredReplicaAAsking()));
    assertEquals(Action.HAND_OVER, retry.action(), retry.toString());
  }

  @Test
  void masterDoesNotHandOverToReplicaInHoldDown() {
    start("b", stateFile(5, "b", 5, runIdOf("b"), false));

    Decision d = decide(bRedisAsMaster().build(),
        heard(advert("a").replicaOf("b", 5).offset(1_000).wantsMaster().holdDown().receivedAt(clock.now())));

    assertMaster(d, 5, true);
    assertEquals("", election.handoverTo());
  }

  @Test
  void handoverTargetBecomesMasterWhenItsRedisWasPromoted() {
    start("a", stateFile(5, "b", 5, runIdOf("a"), true));
    RedisHealth promoted = masterA().persisting(true).build();
    PeerReport bHanding = advert("b").masterOf(5).offset(1_000).handingOverTo("a").receivedAt(clock.now());

    Decision d = decide(promoted, heard(bHanding));

    assertEquals(Action.MASTER, d.action(), d.toString());
    assertEquals(6, d.epoch());
    assertEquals("a", d.masterNode());
    assertFalse(d.takeover(), "its Redis is master already; nothing to fence");
    assertMentions(d, "switchover");
    assertEquals(new DurableState(6, "a", 6, runIdOf("a"), true), store.load());
  }

  @Test
  void handoverTargetThatHearsTheNewEpochFirstStopsPersistingOnceItsReplicaIsInSync() {
    NodeConfig ca = config("a");
    NodeConfig cb = config("b");
    MasterElection a = start(ca, stateFile(5, "b", 5, runIdOf("a"), true));
    MasterElection b = new MasterElection(cb, new InMemoryStateStore(stateFile(5, "b", 5, runIdOf("b"), false)),
        clock.now());
    RedisHealth bAsMaster = bRedisAsMaster().build();

    // b decides to hand over; the FAILOVER succeeds and b's agent announces epoch 6 at once.
    Decision handOver = decide(b, bAsMaster, heard(preferredReplicaAAsking()));
    assertEquals(Action.HAND_OVER, handOver.action(), handOver.toString());
    b.handoverFinished(handOver, true, clock.now());
    RedisHealth bAsReplica = redisUp(runIdOf("b")).replicaOf("a").offset(1_000).persisting(true).build();
    RedisHealth aAsMaster = redisUp(runIdOf("a")).offset(1_000).persisting(true).withReplica("b").build();

    clock.advance(10);
    Decision first = decide(a, aAsMaster, heard(new PeerReport(advertOf(cb, b, bAsReplica), clock.now())));
    assertEquals(Action.MASTER, first.action(), first.toString());
    assertEquals(6, first.epoch());

    // Both agents keep exchanging adverts; b replicates from a and persists.
    Decision last = first;
    for (int i = 0; i < 30; i++) {
      clock.advance(ADVERT_INTERVAL_MS);
      decide(b, bAsReplica, heard(new PeerReport(advertOf(ca, a, aAsMaster), clock.now())));
      last = decide(a, aAsMaster, heard(new PeerReport(advertOf(cb, b, bAsReplica), clock.now())));
    }
    assertEquals(Action.MASTER, last.action(), last.toString());
    assertFalse(last.persist(), "b has been in sync and persisting for 3 s: " + last);
    assertEquals(6, a.durable().dataEpoch(), "the master of epoch 6 holds epoch 6's data");
  }

  // ---------------------------------------------------------------- persistence (rule 4)

  @Test
  void masterPersistsWhileNoInSyncPersistingReplica() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), true));

    Decision alone = decide(masterA().build(), heard(advert("b").replicaOf("a", 5).persisting(false)
        .offset(1_000).receivedAt(clock.now())));
    assertMaster(alone, 5, true);
    assertMentions(alone, "persisting");

    clock.advance(10 * PREEMPT_DELAY_MS);
    Decision stillNot = decide(masterA().build(), heard(advert("b").replicaOf("a", 5).persisting(false)
        .offset(1_000).receivedAt(clock.now())));
    assertMaster(stillNot, 5, true);
  }

  @Test
  void masterStopsPersistingOneSecondAfterReplicaPersistsInSyncAndResumesOnlyOnceItStaysBehind() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), true));

    assertMaster(decide(masterA().build(), heard(inSyncReplicaB())), 5, true);
    clock.advance(999);
    assertMaster(decide(masterA().build(), heard(inSyncReplicaB())), 5, true);
    clock.advance(1);
    assertMaster(decide(masterA().build(), heard(inSyncReplicaB())), 5, false);
    clock.advance(ADVERT_INTERVAL_MS);
    assertMaster(decide(masterA().build(), heard(inSyncReplicaB())), 5, false);

    // The replica's link drops: a blip must not make the master fork a BGSAVE...
    clock.advance(ADVERT_INTERVAL_MS);
    long droppedAt = clock.now();
    PeerReport bLinkDown = advert("b").replicaOf("a", 5).offset(1_000).linkUp(false).receivedAt(clock.now());
    assertMaster(decide(redisUp(runIdOf("a")).offset(1_000).build(), heard(bLinkDown)), 5, false);
    clock.advanceTo(droppedAt + 999);
    assertMaster(decide(redisUp(runIdOf("a")).offset(1_000).build(), heard(bLinkDown)), 5, false);
    // ...but a replica that stays away leaves the master as the last copy.
    clock.advance(1);
    Decision dropped = decide(redisUp(runIdOf("a")).offset(1_000).build(), heard(bLinkDown));
    assertMaster(dropped, 5, true);
    assertMentions(dropped, "no in-sync persisting replica");
  }

  @Test
  void aReplicaThatKeepsUpUnderAHeavyWriteLoadNeverMakesTheMasterPersist() {
    // 1 MiB/s of writes; Redis lists the replica's offset as of its last once-a-second ack, a
    // megabyte behind, but the replica's own offset (its adverts) is a few ms behind.
    start("a", stateFile(5, "a", 5, runIdOf("a"), true));
    long offset = 1_000;
    int persistSwitches = 0;
    boolean persisting = true;
    for (int tick = 0; tick < 600; tick++) { // 30 s in 50 ms probes
      offset += 52_429;
      long ackedOneSecondAgo = Math.max(0, offset - 1_048_576 - 52_429);
      RedisHealth master = redisUp(runIdOf("a")).offset(offset).build();
      RedisHealth withLaggingAck = new RedisHealth(master.status(), master.reason(),
          master.info().map(i -> new dev.redisha.redis.RedisInfo(i.runId(), i.role(), i.replId(), i.replOffset(),
              i.masterHost(), i.masterPort(), i.masterLinkUp(), i.masterSyncInProgress(),
              java.util.List.of(new dev.redisha.redis.RedisInfo.ConnectedReplica(redisOf("b").host(), redisOf("b").port(),
                  "online", ackedOneSecondAgo, 1)),
              i.keys(), i.loading(), i.raw())),
          master.persisting(), master.takenAtMillis());
      PeerReport b = advert("b").replicaOf("a", 5).offset(offset - 3 * 52_429).receivedAt(clock.now());
      Decision d = decide(withLaggingAck, heard(b));
      assertEquals(Action.MASTER, d.action(), d.toString());
      if (tick > 40 && d.persist() != persisting) {
        persistSwitches++;
      }
      persisting = d.persist();
      clock.advance(50);
    }
    assertFalse(persisting, "the master stopped persisting once the replica kept up");
    assertEquals(0, persistSwitches, "persistence switched on the master under load");
  }

  // ---------------------------------------------------------------- a durable epoch or no promotion

  @Test
  void aTakeoverWhoseEpochCannotBeRecordedIsAbortedReportedAndRetriedOnceTheDiskWorks() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    assertReplicaOf(decide(replicaOfA().build(), heard(healthyMasterA())), 5, "a");
    store.failWith("cannot write state/b/state.json: No space left on device");
    probe(probeRefused("a"));
    RedisHealth b = replicaOfA().linkDown().build();

    Decision takeover = decide(b, heard(healthyMasterA()));
    assertTrue(takeover.takeover(), takeover.toString());
    assertFalse(election.commitTakeover(takeover, b, clock.now()), "the controller must not promote");
    assertEquals(5, store.load().epoch(), "nothing half-written");
    assertEquals(5, election.durable().epoch(), "the epoch in memory did not move either");
    assertMentions(Decision.waiting(0, "", Decision.Cause.STATE_NOT_WRITABLE, election.stateProblem()), "no space left");

    clock.advance(DOWN_TIME_MS);
    Decision blocked = decide(b, heard(healthyMasterA()));
    assertEquals(Action.WAIT, blocked.action(), blocked.toString());
    assertMentions(blocked, "cannot record a new epoch");

    store.recover();
    clock.advance(1_000);
    Decision retried = decide(b, heard(healthyMasterA()));
    assertEquals("", election.stateProblem());
    assertTrue(retried.takeover(), retried.toString());
    assertTrue(election.commitTakeover(retried, b, clock.now()));
    assertEquals(6, store.load().epoch());
  }

  @Test
  void aPauseIsGroupStateKeptOnDiskAndAdoptedFromAPeersAdvert() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    PeerReport pausedByA = new PeerReport(
        healthyMasterA().advert().withMaintenance(new dev.redisha.coordination.Maintenance(true, 1, "a", 42)), clock.now());

    decide(replicaOfA().build(), heard(pausedByA));

    assertTrue(election.paused());
    assertEquals("a", store.load().maintenance().by(), "kept on disk, so a restart comes back paused");
    MasterElection restarted = new MasterElection(config("b"), store, clock.now());
    assertTrue(restarted.paused());

    // A stale advert (an older version) does not undo a newer resume.
    election.setPaused(false, 43);
    decide(replicaOfA().build(), heard(pausedByA));
    assertFalse(election.paused());
    assertEquals(2, store.load().maintenance().version());
  }

  // ---------------------------------------------------------------- hold-down

  @Test
  void repeatedMasterFaultsHoldTheNodeDownUntilTheWindowPasses() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    assertEquals(Action.MASTER, decide(masterA().build(), heard(inSyncReplicaB())).action());
    long firstFault = 0;
    for (int i = 0; i < FLAP_MAX_FAULTS; i++) {
      clock.advance(ADVERT_INTERVAL_MS);
      firstFault = i == 0 ? clock.now() : firstFault;
      Decision fault = decide(redisDown("3 probes timed out"), heard(inSyncReplicaB()));
      assertEquals(Action.FAULT, fault.action(), fault.toString());
      assertEquals(i == FLAP_MAX_FAULTS - 1, election.holdDown(), "after fault " + (i + 1));
      clock.advance(ADVERT_INTERVAL_MS);
      if (i < FLAP_MAX_FAULTS - 1) {
        assertEquals(Action.MASTER, decide(masterA().build(), heard(inSyncReplicaB())).action());
      }
    }

    // b took over; a is an in-sync replica with the higher priority, but it holds down.
    RedisHealth replicaOfB = redisUp(runIdOf("a")).replicaOf("b").offset(1_000).persisting(true).build();
    long windowEnd = firstFault + FLAP_WINDOW_MS;
    while (clock.now() < windowEnd) {
      Decision d = decide(replicaOfB, heard(advert("b").masterOf(6).offset(1_000).receivedAt(clock.now())));
      assertReplicaOf(d, 6, "b");
      assertTrue(election.holdDown());
      assertFalse(election.wantsMaster(), "no preemption during hold-down");
      clock.advanceTo(Math.min(windowEnd, clock.now() + PREEMPT_DELAY_MS));
    }
    decide(replicaOfB, heard(advert("b").masterOf(6).offset(1_000).receivedAt(clock.now())));
    assertTrue(election.holdDown(), "the first fault is still inside the window");

    clock.advance(1);
    decide(replicaOfB, heard(advert("b").masterOf(6).offset(1_000).receivedAt(clock.now())));
    assertFalse(election.holdDown(), "the first fault left the window");
    clock.advance(PREEMPT_DELAY_MS);
    decide(replicaOfB, heard(advert("b").masterOf(6).offset(1_000).receivedAt(clock.now())));
    assertTrue(election.wantsMaster(), "preemption resumes after the window");
  }

  // ---------------------------------------------------------------- maintenance

  @Test
  void noTakeoverInMaintenanceMode() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));
    assertReplicaOf(decide(replicaOfA().build(), heard(healthyMasterA())), 5, "a");
    election.setPaused(true, 0);

    clock.advance(ADVERT_INTERVAL_MS);
    PeerReport aFault = advert("a").masterOf(5).state(AgentState.FAULT).redisDown().receivedAt(clock.now());
    probe(probeRefused("a"));
    Decision d = decide(replicaOfA().linkDown().build(), heard(aFault));

    assertEquals(Action.WAIT, d.action(), d.toString());
    assertFalse(d.takeover());
    assertEquals(5, d.epoch());
    assertMentions(d, "maintenance");
    assertEquals(5, store.load().epoch());

    election.setPaused(false, 0);
    clock.advance(ADVERT_INTERVAL_MS);
    PeerReport stillFault = advert("a").masterOf(5).state(AgentState.FAULT).redisDown().receivedAt(clock.now());
    assertTakeover(decide(replicaOfA().linkDown().build(), heard(stillFault)), 6, "b", Optional.of(redisOf("a")), false);
  }

  // ---------------------------------------------------------------- local Redis unusable

  @Test
  void loadingRedisIsFault() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));

    Decision d = decide(replicaOfA().loading().build(), heard(healthyMasterA()));

    assertEquals(Action.FAULT, d.action(), d.toString());
    assertEquals(Optional.of(redisOf("a")), d.follow(), "a restarted replica may sync from the healthy master");
    assertMentions(d, "loading");
  }

  @Test
  void downRedisIsFault() {
    start("b", stateFile(5, "a", 5, runIdOf("b"), true));

    Decision d = decide(redisDown("connection refused"), heard(healthyMasterA()));

    assertEquals(Action.FAULT, d.action(), d.toString());
    assertEquals(5, d.epoch());
    assertEquals("a", d.masterNode());
    assertMentions(d, "down", "connection refused");
  }

  @Test
  void masterWhoseRedisIsDownIsFault() {
    start("a", stateFile(5, "a", 5, runIdOf("a"), false));
    assertEquals(Action.MASTER, decide(masterA().build(), heard(inSyncReplicaB())).action());

    clock.advance(ADVERT_INTERVAL_MS);
    Decision d = decide(redisDown("connection refused"), heard(inSyncReplicaB()));

    assertEquals(Action.FAULT, d.action(), d.toString());
    assertEquals(Optional.empty(), d.follow());
    assertMentions(d, "connection refused");
    assertEquals(AgentState.FAULT, election.state());
  }

  // ---------------------------------------------------------------- the usual adverts and health

  /** a, master of epoch 5 at offset 1000, heard just now. */
  private PeerReport healthyMasterA() {
    return advert("a").masterOf(5).offset(1_000).receivedAt(clock.now());
  }

  /** b, master of epoch 5 at offset 1000, heard just now. */
  private PeerReport masterB() {
    return advert("b").masterOf(5).offset(1_000).receivedAt(clock.now());
  }

  /** b, an in-sync persisting replica of a in epoch 5, heard just now. */
  private PeerReport inSyncReplicaB() {
    return advert("b").replicaOf("a", 5).offset(1_000).receivedAt(clock.now());
  }

  /** a, an in-sync replica of b in epoch 5 asking for the role back, heard just now. */
  private PeerReport preferredReplicaAAsking() {
    return advert("a").replicaOf("b", 5).offset(1_000).wantsMaster().receivedAt(clock.now());
  }

  /** a's Redis as master at offset 1000 with b's Redis attached. */
  private static ElectionFixture.HealthBuilder masterA() {
    return redisUp(runIdOf("a")).offset(1_000).withReplica("b");
  }

  /** b's Redis as master at offset 1000 with a's Redis attached. */
  private static ElectionFixture.HealthBuilder bRedisAsMaster() {
    return redisUp(runIdOf("b")).offset(1_000).withReplica("a");
  }

  /** b's Redis as a persisting replica of a at offset 1000, link up. */
  private static ElectionFixture.HealthBuilder replicaOfA() {
    return redisUp(runIdOf("b")).replicaOf("a").offset(1_000).persisting(true);
  }

  // ---------------------------------------------------------------- assertions

  private static void assertTakeover(Decision d, long epoch, String me, Optional<HostPort> fence, boolean catchUp) {
    assertEquals(Action.MASTER, d.action(), d.toString());
    assertTrue(d.takeover(), "a takeover: " + d);
    assertEquals(epoch, d.epoch(), d.toString());
    assertEquals(me, d.masterNode());
    assertEquals(fence, d.fence(), "fence target");
    assertEquals(catchUp, d.fenceCatchUp(), "fence catch-up");
  }

  private static void assertReplicaOf(Decision d, long epoch, String master) {
    assertEquals(Action.REPLICA, d.action(), d.toString());
    assertEquals(epoch, d.epoch(), d.toString());
    assertEquals(master, d.masterNode());
    assertEquals(Optional.of(redisOf(master)), d.follow());
    assertFalse(d.takeover());
  }

  private static void assertMaster(Decision d, long epoch, boolean persist) {
    assertEquals(Action.MASTER, d.action(), d.toString());
    assertEquals(epoch, d.epoch());
    assertFalse(d.takeover(), "already master: " + d);
    assertEquals(persist, d.persist(), d.toString());
  }

  private static void assertMentions(Decision d, String... parts) {
    String reason = d.reason().toLowerCase(Locale.ROOT);
    for (String p : parts) {
      assertTrue(reason.contains(p.toLowerCase(Locale.ROOT)), "reason \"" + d.reason() + "\" should mention " + p);
    }
  }
}
