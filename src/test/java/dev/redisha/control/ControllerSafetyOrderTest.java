package dev.redisha.control;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.ApiConfig;
import dev.redisha.config.CoordinationConfig;
import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.FailoverConfig;
import dev.redisha.config.HealthConfig;
import dev.redisha.config.HooksConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.config.PersistencePolicy;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.config.Secret;
import dev.redisha.coordination.Coordinator;
import dev.redisha.coordination.Decision;
import dev.redisha.event.Event;
import dev.redisha.event.HookType;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisDialer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * DESIGN §3's order of steps, as the controller takes them, against recording fakes of Redis, the
 * coordinator and the endpoints: what real servers do with each step is tested end to end in
 * {@code dev.redisha.it}; here a step taken in the wrong order fails at once and says which.
 */
class ControllerSafetyOrderTest {
  static final HostPort A = new HostPort("127.0.0.1", 7001);
  private static final HostPort B = new HostPort("127.0.0.1", 7002);

  private final Journal journal = new Journal();
  private final RecordingRedis.Servers servers = new RecordingRedis.Servers(journal);
  private final RecordingCoordinator coordinator = new RecordingCoordinator(journal);
  private final List<Event> events = new ArrayList<>();

  @Test
  void aTakeoverDemotesTheOldMasterThenCommitsTheEpochThenPromotes() {
    servers.master("a", A, 100);
    RecordingRedis b = servers.replica("b", B, A, 100);

    controller("b", B).apply(Decision.takeover(8, "b", Optional.of(A), true, Decision.Cause.MASTER_FAILED, "a's agent is silent"), health(b));

    journal.assertInOrder("a: CLIENT PAUSE WRITE", "a: REPLICAOF b", "a: CLIENT KILL",
        "coordinator: commit epoch 8", "b: REPLICAOF NO ONE", "endpoints: route to me");
  }

  @Test
  void noPromotionWhenTheOldMasterAnswersButCannotBeDemoted() {
    servers.master("a", A, 100).failing("REPLICAOF", () -> new JedisDataException("ERR demotion refused (test)"));
    RecordingRedis b = servers.replica("b", B, A, 100);

    controller("b", B).apply(Decision.takeover(8, "b", Optional.of(A), false, Decision.Cause.MASTER_FAILED, "a's Redis is failing"), health(b));

    journal.assertInOrder("a: REPLICAOF b", "coordinator: takeover aborted");
    journal.assertNever("coordinator: commit epoch 8");
    journal.assertNever("b: REPLICAOF NO ONE");
    journal.assertNever("endpoints: route to me");
    assertRecorded("fence-failed");
  }

  @Test
  void noPromotionWhenTheNewEpochCannotBeCommitted() {
    servers.master("a", A, 100).refusing();
    RecordingRedis b = servers.replica("b", B, A, 100);
    coordinator.commitSucceeds = false;

    controller("b", B).apply(Decision.takeover(8, "b", Optional.of(A), false, Decision.Cause.MASTER_FAILED, "a's Redis is down"), health(b));

    journal.assertInOrder("a: INFO", "coordinator: commit epoch 8 (fails)");
    journal.assertNever("b: REPLICAOF NO ONE");
    journal.assertNever("endpoints: route to me");
    assertRecorded("takeover-aborted");
  }

  @Test
  void endpointsAreReleasedBeforeTheLocalMasterIsDemoted() {
    RecordingRedis a = servers.master("a", A, 100);
    servers.master("b", B, 100);

    controller("a", A).apply(Decision.replica(9, "b", Optional.of(B), Decision.Cause.FOLLOWING_MASTER, "b is master of epoch 9"), health(a));

    journal.assertInOrder("endpoints: release", "a: REPLICAOF b", "a: CLIENT KILL");
  }

  @Test
  void endpointsAreReleasedBeforeAFaultyLocalMasterIsParked() {
    RecordingRedis a = servers.master("a", A, 100);

    controller("a", A).apply(Decision.fault(9, "b", Optional.empty(), Decision.Cause.LOCAL_DATA_LOST, "restarted without its data"), health(a));

    journal.assertInOrder("endpoints: release", "a: REPLICAOF a", "a: CLIENT KILL");
  }

  @Test
  void aHandoverHoldsClientsPausesWritesWaitsForTheTargetDemotesPromotesTheTargetAndResumes() {
    RecordingRedis a = servers.master("a", A, 100);
    servers.replica("b", B, A, 100).catchingUpThrough(90, 95);

    controller("a", A).apply(handOverToB(), health(a));

    journal.assertInOrder("endpoints: hold clients", "endpoints: release", "a: CLIENT PAUSE WRITE",
        "b: offset 100", "a: REPLICAOF b", "b: REPLICAOF NO ONE", "a: CLIENT UNPAUSE",
        "coordinator: handover succeeded", "endpoints: route to b");
    journal.assertNever("endpoints: handover aborted");
  }

  @Test
  void aTargetThatFailsAfterTheDemotionGivesTheRoleBack() {
    RecordingRedis a = servers.master("a", A, 100);
    servers.replica("b", B, A, 100).failing("REPLICAOF NO ONE", () -> new JedisConnectionException("b went away (test)"));

    controller("a", A).apply(handOverToB(), health(a));

    journal.assertInOrder("a: CLIENT PAUSE WRITE", "a: REPLICAOF b", "b: REPLICAOF NO ONE",
        "a: REPLICAOF NO ONE", "a: CLIENT UNPAUSE", "coordinator: handover failed", "endpoints: handover aborted");
    journal.assertNever("endpoints: route to b");
  }

  @Test
  void aTargetThatFallsBehindInsideThePauseEndsTheHandoverWithoutADemotion() {
    // The target has what the master had when the handover began (100), not what it has once
    // writes are paused (120).
    RecordingRedis a = servers.master("a", A, 120).catchingUpThrough(100);
    servers.replica("b", B, A, 100);

    controller("a", A).apply(handOverToB(), health(a));

    journal.assertInOrder("endpoints: release", "a: CLIENT PAUSE WRITE", "a: offset 120", "b: offset 100",
        "a: CLIENT UNPAUSE", "coordinator: handover failed", "endpoints: handover aborted");
    journal.assertNever("a: REPLICAOF b");
    journal.assertNever("b: REPLICAOF NO ONE");
  }

  @Test
  void aTargetThatIsNotReceivingTheStreamIsRefusedBeforeAnyEndpointOrPause() {
    RecordingRedis a = servers.master("a", A, 100);
    servers.replica("b", B, A, 90);

    controller("a", A).apply(handOverToB(), health(a));

    journal.assertInOrder("a: offset 100", "b: offset 90", "coordinator: handover failed");
    journal.assertNever("endpoints: release");
    journal.assertNever("a: CLIENT PAUSE WRITE");
    journal.assertNever("a: REPLICAOF b");
    journal.assertNever("b: REPLICAOF NO ONE");
  }

  private static Decision handOverToB() {
    return Decision.handOver(7, "a", new Decision.Target("b", B), Decision.Cause.PREEMPTION, "b has the higher priority");
  }

  private void assertRecorded(String type) {
    assertTrue(events.stream().anyMatch(e -> e.type().equals(type)), "no " + type + " event in " + events);
  }

  private RedisHealth health(RecordingRedis r) {
    return new RedisHealth(RedisHealth.Status.UP, "", Optional.of(r.currentInfo()), false, 0);
  }

  private Controller controller(String id, HostPort redis) {
    return controller(id, redis, servers, coordinator, events::add, (hook, epoch) -> {}, new RecordingEndpoints(journal));
  }

  /** A controller of node {@code id} (its Redis at {@code redis}) in a pair of a and b, with these fakes. */
  static Controller controller(String id, HostPort redis, RedisDialer servers, Coordinator coordinator,
      Consumer<Event> events, BiConsumer<HookType, Long> hooks, EndpointSteering endpoints) {
    Secret key = new Secret("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8), "test");
    HostPort other = redis.equals(A) ? B : A;
    Path dir = Path.of("/nonexistent/controller-test");
    NodeConfig config = new NodeConfig(dir.resolve(id + ".yaml"), "test", id, 100,
        new RedisConfig(redis, redis, Optional.empty(), Optional.empty(), Optional.empty(), RedisMode.EXTERNAL,
            Optional.empty(), dir.resolve("redis"), List.of()),
        List.of(new PeerConfig(id.equals("a") ? "b" : "a", new HostPort("127.0.0.1", 7101), other, Optional.empty())),
        new CoordinationConfig(new HostPort("127.0.0.1", 7100), key, 100, 3, true, 500, 60_000, 3, 1500),
        new HealthConfig(50, 200, 3),
        new PersistencePolicy("60 1", false, "everysec"),
        // A short switchover budget: the test of a target that stays behind waits all of it.
        new FailoverConfig(100, 1 << 20),
        new HooksConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 5000),
        new ApiConfig(new HostPort("127.0.0.1", 0), Optional.empty()),
        dir, EndpointsConfig.none());
    return new Controller(config, servers, coordinator, Optional.empty(), events, hooks, endpoints, () -> 0);
  }
}
