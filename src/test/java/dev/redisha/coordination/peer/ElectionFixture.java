package dev.redisha.coordination.peer;

import dev.redisha.config.ApiConfig;
import dev.redisha.config.CoordinationConfig;
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
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.DurableState;
import dev.redisha.coordination.StateStore;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Configs, adverts and health snapshots for the {@link MasterElection} tests. Every node "x" has
 * its Redis at a fixed address and run id "run-x", so a test only names what differs from a
 * healthy, quiet group.
 */
final class ElectionFixture {
  static final String GROUP = "cache-eu";
  static final long T0 = 1_000_000L;
  static final long ADVERT_INTERVAL_MS = 100;
  static final int DOWN_AFTER_ADVERTS = 3;
  static final long DOWN_TIME_MS = ADVERT_INTERVAL_MS * DOWN_AFTER_ADVERTS;
  static final long PREEMPT_DELAY_MS = 500;
  static final long FLAP_WINDOW_MS = 60_000;
  static final int FLAP_MAX_FAULTS = 3;
  static final long BOOTSTRAP_WAIT_MS = 1_500;
  static final long SWITCHOVER_TIMEOUT_MS = 2_000;
  static final long MAX_CATCH_UP_LAG_BYTES = 1 << 20;

  /** The usual pair: "a" is the preferred master, "b" the usual replica. */
  static final Map<String, Integer> PAIR = ordered("a", 150, "b", 100);

  private ElectionFixture() {}

  static Map<String, Integer> ordered(Object... idAndPriority) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < idAndPriority.length; i += 2) {
      out.put((String) idAndPriority[i], (Integer) idAndPriority[i + 1]);
    }
    return out;
  }

  static HostPort redisOf(String nodeId) {
    return new HostPort("redis-" + nodeId + ".test", 6379);
  }

  static String runIdOf(String nodeId) {
    return "run-" + nodeId;
  }

  /** Node {@code me} of the usual pair. */
  static NodeConfig config(String me) {
    return config(me, PAIR);
  }

  /** Node {@code me} of a group whose members and priorities are {@code group}. */
  static NodeConfig config(String me, Map<String, Integer> group) {
    Secret key = new Secret("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8), "test");
    List<PeerConfig> peers = new ArrayList<>();
    int port = 7000;
    for (String id : group.keySet()) {
      port++;
      if (!id.equals(me)) {
        peers.add(new PeerConfig(id, new HostPort("agent-" + id + ".test", port), redisOf(id), Optional.empty()));
      }
    }
    return new NodeConfig(
        Path.of(me + ".yaml"),
        GROUP,
        me,
        group.get(me),
        new RedisConfig(redisOf(me), redisOf(me), Optional.empty(), Optional.empty(), Optional.empty(),
            RedisMode.EXTERNAL, Optional.empty(), Path.of("data", me), List.of()),
        peers,
        new CoordinationConfig(new HostPort("agent-" + me + ".test", 7000), key, ADVERT_INTERVAL_MS,
            DOWN_AFTER_ADVERTS, true, PREEMPT_DELAY_MS, FLAP_WINDOW_MS, FLAP_MAX_FAULTS, BOOTSTRAP_WAIT_MS),
        new HealthConfig(50, 200, 3),
        new PersistencePolicy("900 1", true, "everysec"),
        new FailoverConfig(SWITCHOVER_TIMEOUT_MS, MAX_CATCH_UP_LAG_BYTES),
        new HooksConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 5_000),
        new ApiConfig(new HostPort("127.0.0.1", 0), Optional.empty()),
        Path.of("state", me),
        dev.redisha.config.EndpointsConfig.none());
  }

  /** What a state file says: epoch, its master, and the data this node's Redis held. */
  static DurableState stateFile(long epoch, String master, long dataEpoch, String dataRunId, boolean persisting) {
    return new DurableState(epoch, master, dataEpoch, dataRunId, persisting);
  }

  static Map<String, PeerReport> heard(PeerReport... reports) {
    Map<String, PeerReport> out = new HashMap<>();
    for (PeerReport r : reports) {
      out.put(r.advert().nodeId(), r);
    }
    return out;
  }

  static Map<String, PeerReport> nobody() {
    return Map.of();
  }

  static HealthBuilder redisUp(String runId) {
    return new HealthBuilder(runId);
  }

  static RedisHealth redisDown(String reason) {
    return new RedisHealth(RedisHealth.Status.DOWN, reason, Optional.empty(), false, 0);
  }

  /** This node's own probe of {@code nodeId}'s Redis: nothing listens. */
  static PeerRedisProbe probeRefused(String nodeId) {
    return new PeerRedisProbe(nodeId, redisOf(nodeId), PeerRedisProbe.Outcome.REFUSED, Optional.empty(), 1, -1, -1, 0,
        "connection refused");
  }

  /** No answer to {@code probes} probes in a row, each after its full timeout. */
  static PeerRedisProbe probeNoAnswer(String nodeId, int probes) {
    return new PeerRedisProbe(nodeId, redisOf(nodeId), PeerRedisProbe.Outcome.NO_ANSWER, Optional.empty(), probes, -1,
        -1, 0, "Read timed out");
  }

  /** It answers INFO with {@code health}'s view (built as for a local Redis). */
  static PeerRedisProbe probeAnswers(String nodeId, RedisHealth health) {
    return new PeerRedisProbe(nodeId, redisOf(nodeId), PeerRedisProbe.Outcome.ANSWERS, health.info(), 0, 0, -1, 0, "");
  }

  /** It answers as a master with run id "run-x", no replicas. */
  static PeerRedisProbe probeHealthyMaster(String nodeId) {
    return probeAnswers(nodeId, redisUp(runIdOf(nodeId)).build());
  }

  static PeerRedisProbe probeBusy(String nodeId, long since) {
    return new PeerRedisProbe(nodeId, redisOf(nodeId), PeerRedisProbe.Outcome.BUSY,
        redisUp(runIdOf(nodeId)).build().info(), 0, since, since, since, "BUSY Redis is busy running a script");
  }

  /**
   * The advert node {@code nodeId} sends when it is just starting: Redis up as an empty master,
   * no epoch, no data. The methods describe what differs.
   */
  static AdvertBuilder advert(String nodeId) {
    return new AdvertBuilder(nodeId, PAIR.getOrDefault(nodeId, 100));
  }

  /** A local Redis as the health monitor reports it. Starts as a master without replicas. */
  static final class HealthBuilder {
    private RedisHealth.Status status = RedisHealth.Status.UP;
    private final String runId;
    private String role = "master";
    private String masterHost = "";
    private int masterPort;
    private boolean linkUp;
    private boolean syncing;
    private long offset;
    private long keys;
    private boolean persisting;
    private final List<RedisInfo.ConnectedReplica> replicas = new ArrayList<>();
    private String replId;

    private HealthBuilder(String runId) {
      this.runId = runId;
      this.replId = "replid-" + runId;
    }

    HealthBuilder replId(String id) {
      replId = id;
      return this;
    }

    /** A replica of {@code nodeId}'s Redis with its link up. */
    HealthBuilder replicaOf(String nodeId) {
      role = "slave";
      masterHost = redisOf(nodeId).host();
      masterPort = redisOf(nodeId).port();
      linkUp = true;
      return this;
    }

    /** Managed mode starts a Redis "parked": a replica of itself, serving no sync. */
    HealthBuilder parked(String self) {
      replicaOf(self);
      linkUp = false;
      return this;
    }

    HealthBuilder linkDown() {
      linkUp = false;
      return this;
    }

    HealthBuilder syncing() {
      syncing = true;
      linkUp = false;
      return this;
    }

    HealthBuilder offset(long o) {
      offset = o;
      return this;
    }

    HealthBuilder keys(long k) {
      keys = k;
      return this;
    }

    HealthBuilder persisting(boolean p) {
      persisting = p;
      return this;
    }

    /** {@code nodeId}'s Redis replicates from this one, link online. */
    HealthBuilder withReplica(String nodeId) {
      replicas.add(new RedisInfo.ConnectedReplica(redisOf(nodeId).host(), redisOf(nodeId).port(), "online", offset, 0));
      return this;
    }

    HealthBuilder loading() {
      status = RedisHealth.Status.LOADING;
      return this;
    }

    RedisHealth build() {
      RedisInfo info = new RedisInfo(runId, role, replId, offset, masterHost, masterPort, linkUp, syncing,
          replicas, keys, status == RedisHealth.Status.LOADING, Map.of());
      String reason = status == RedisHealth.Status.LOADING ? "loading the dataset from disk" : "";
      return new RedisHealth(status, reason, Optional.of(info), persisting, 0);
    }
  }

  /** A peer's advert; {@link #receivedAt} turns it into what the coordinator hands the election. */
  static final class AdvertBuilder {
    private final String nodeId;
    private long epoch;
    private String epochMaster = "";
    private AgentState state = AgentState.STARTING;
    private int priority;
    private boolean redisUp = true;
    private final String runId;
    private String role = "master";
    private long offset;
    private boolean linkUp;
    private long dataEpoch = -1;
    private long keys;
    private boolean persisting;
    private boolean wantsMaster;
    private String handoverTo = "";
    private boolean holdDown;
    private String replId;

    private AdvertBuilder(String nodeId, int priority) {
      this.nodeId = nodeId;
      this.priority = priority;
      this.runId = runIdOf(nodeId);
      this.replId = "replid-" + runId;
    }

    AdvertBuilder replId(String id) {
      replId = id;
      return this;
    }

    /** Master of {@code e} with that epoch's data, not persisting. */
    AdvertBuilder masterOf(long e) {
      epoch = e;
      epochMaster = nodeId;
      state = AgentState.MASTER;
      role = "master";
      linkUp = false;
      dataEpoch = e;
      return this;
    }

    /** An in-sync, persisting replica of {@code master} in epoch {@code e}. */
    AdvertBuilder replicaOf(String master, long e) {
      epoch = e;
      epochMaster = master;
      state = AgentState.REPLICA;
      role = "slave";
      linkUp = true;
      dataEpoch = e;
      persisting = true;
      return this;
    }

    AdvertBuilder epoch(long e, String master) {
      epoch = e;
      epochMaster = master;
      return this;
    }

    AdvertBuilder state(AgentState s) {
      state = s;
      return this;
    }

    AdvertBuilder priority(int p) {
      priority = p;
      return this;
    }

    /** Its Redis does not answer. */
    AdvertBuilder redisDown() {
      redisUp = false;
      role = "";
      linkUp = false;
      return this;
    }

    AdvertBuilder offset(long o) {
      offset = o;
      return this;
    }

    AdvertBuilder linkUp(boolean up) {
      linkUp = up;
      return this;
    }

    AdvertBuilder dataEpoch(long e) {
      dataEpoch = e;
      return this;
    }

    AdvertBuilder keys(long k) {
      keys = k;
      return this;
    }

    AdvertBuilder persisting(boolean p) {
      persisting = p;
      return this;
    }

    AdvertBuilder wantsMaster() {
      wantsMaster = true;
      return this;
    }

    AdvertBuilder handingOverTo(String target) {
      state = AgentState.HANDING_OVER;
      handoverTo = target;
      return this;
    }

    AdvertBuilder holdDown() {
      holdDown = true;
      return this;
    }

    Advert build() {
      String run = redisUp ? runId : "";
      return new Advert(GROUP, nodeId, 1, 1, 0, epoch, epochMaster, state, priority, redisUp, run, role,
          redisUp ? replId : "", offset, linkUp, dataEpoch, keys, persisting, wantsMaster, handoverTo,
          holdDown);
    }

    PeerReport receivedAt(long millis) {
      return new PeerReport(build(), millis);
    }
  }

  /**
   * The advert a node's coordinator would send after a decision, built the way {@link
   * PeerCoordinator} builds its draft. Lets two elections talk to each other in a test.
   */
  static Advert advertOf(NodeConfig c, MasterElection e, RedisHealth h) {
    DurableState st = e.durable();
    Optional<RedisInfo> info = h.up() ? h.info() : Optional.empty();
    return new Advert(GROUP, c.nodeId(), 1, 1, 0, st.epoch(), st.epochMaster(), e.state(), c.priority(), h.up(),
        info.map(RedisInfo::runId).orElse(""), info.map(RedisInfo::role).orElse(""),
        info.map(RedisInfo::replId).orElse(""), info.map(RedisInfo::replOffset).orElse(0L),
        info.map(RedisInfo::masterLinkUp).orElse(false), st.dataEpoch(), info.map(RedisInfo::keys).orElse(0L),
        h.up() && h.persisting(), e.wantsMaster(), e.handoverTo(), e.holdDown());
  }

  /** The state file, in memory. */
  static final class InMemoryStateStore implements StateStore {
    private DurableState state;
    private String failure = "";

    InMemoryStateStore(DurableState initial) {
      this.state = initial;
    }

    /** Every save fails from now on, as a full disk does. */
    void failWith(String message) {
      failure = message;
    }

    void recover() {
      failure = "";
    }

    @Override
    public DurableState load() {
      return state;
    }

    @Override
    public void save(DurableState s) {
      if (!failure.isEmpty()) {
        throw new java.io.UncheckedIOException(failure, new java.io.IOException(failure));
      }
      state = s;
    }
  }

  /** The agent's clock, moved only by the test. */
  static final class FakeClock {
    private long now;

    FakeClock(long start) {
      this.now = start;
    }

    long now() {
      return now;
    }

    long advance(long millis) {
      now += millis;
      return now;
    }

    /** Moves to {@code t}; time never runs backwards. */
    long advanceTo(long t) {
      if (t < now) {
        throw new IllegalArgumentException("the clock is at " + now + ", cannot go back to " + t);
      }
      now = t;
      return now;
    }
  }
}
