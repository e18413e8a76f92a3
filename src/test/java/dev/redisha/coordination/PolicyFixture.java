package dev.redisha.coordination;

import dev.redisha.config.HostPort;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Redis snapshots, member statuses and a clock for the tests of the policy's small classes. */
final class PolicyFixture {
  private PolicyFixture() {}

  static HostPort redisOf(String nodeId) {
    return new HostPort("redis-" + nodeId + ".test", 6379);
  }

  /** A master Redis at {@code offset} with {@code replicas} listed online and acknowledged. */
  static RedisInfo master(String runId, long offset, String... replicas) {
    List<RedisInfo.ConnectedReplica> listed = java.util.Arrays.stream(replicas)
        .map(id -> new RedisInfo.ConnectedReplica(redisOf(id).host(), redisOf(id).port(), "online", offset, 0))
        .toList();
    return new RedisInfo(runId, "master", "replid-" + runId, offset, "", 0, false, false, listed, 10, false, Map.of());
  }

  /** A replica of {@code master}'s Redis, link up, with the given replication id. */
  static RedisInfo replicaOf(String master, String runId, String replId, long offset) {
    return new RedisInfo(runId, "slave", replId, offset, redisOf(master).host(), redisOf(master).port(), true, false,
        List.of(), 10, false, Map.of());
  }

  static RedisHealth up(RedisInfo info, boolean persisting) {
    return new RedisHealth(RedisHealth.Status.UP, "", Optional.of(info), persisting, 0);
  }

  static RedisHealth down() {
    return new RedisHealth(RedisHealth.Status.DOWN, "connection refused", Optional.empty(), false, 0);
  }

  /** A linked, persisting replica of {@code master} in epoch {@code e}, holding that epoch's data. */
  static MemberStatus replicaStatus(String nodeId, String master, long e, long offset) {
    return MemberStatus.starting(nodeId, 100)
        .withEpoch(e, master)
        .withState(AgentState.REPLICA)
        .withRedis(true, "run-" + nodeId, "slave", "replid-x", offset, true, 10)
        .withDataEpoch(e)
        .withPersisting(true);
  }

  /** The master of epoch {@code e}, serving with that epoch's data. */
  static MemberStatus masterStatus(String nodeId, long e, String replId) {
    return MemberStatus.starting(nodeId, 150)
        .withEpoch(e, nodeId)
        .withState(AgentState.MASTER)
        .withRedis(true, "run-" + nodeId, "master", replId, 1000, false, 10)
        .withDataEpoch(e);
  }

  /** Monotonic milliseconds, moved only by the test. */
  static final class FakeClock {
    private long now;

    FakeClock(long start) {
      now = start;
    }

    long now() {
      return now;
    }

    long advance(long ms) {
      now += ms;
      return now;
    }
  }
}
