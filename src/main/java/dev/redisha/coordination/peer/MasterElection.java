package dev.redisha.coordination.peer;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Decision;
import dev.redisha.coordination.Decision.Cause;
import dev.redisha.coordination.DurableState;
import dev.redisha.coordination.Maintenance;
import dev.redisha.coordination.MasterPersistencePolicy;
import dev.redisha.coordination.StateStore;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisInfo;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The peer backend's rules (DESIGN §4) as a pure function of the local health, the peers' adverts
 * and the time. No I/O except the state store, so every rule can be tested with a fake clock.
 *
 * <p>The rules, in the order they are applied:
 *
 * <ol>
 *   <li>A higher epoch seen from a peer is adopted (a master that sees one steps down).
 *   <li>A node whose Redis is down, loading, or restarted without its data is FAULT and never
 *       master (DESIGN rule 1).
 *   <li>The master of the epoch stays master; it hands over to a preferred in-sync replica that
 *       asks (preemption) or to the operator's choice (switchover).
 *   <li>A replica follows a healthy master. The master's Redis is judged by this node's own
 *       probes of it ({@link MasterRedisEvidence}), never by its agent alone: it is taken over
 *       from when it refuses connections, restarted, stops answering, or is no longer a master —
 *       whether its agent says so (FAULT), is silent for the down time, or still claims the role.
 *       A silent agent beside a Redis that answers as a healthy master is reported, not failed
 *       over. The best candidate (complete data, then offset, then priority, then node id) takes
 *       over with the next epoch, fencing the old master first.
 *   <li>No node promotes itself past a peer whose agent it does not hear while that peer's Redis
 *       answers as a master or holds newer data (a wrong key, a dead agent, a cold start).
 *   <li>A promotion happens only once its epoch is on disk; a state file that cannot be written
 *       stops takeovers and is reported ({@link #stateProblem()}).
 * </ol>
 */
public final class MasterElection {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MasterElection.class);
  private final NodeConfig config;
  private final String me;
  private final StateStore store;
  private final Map<String, PeerConfig> peerConfigs = new HashMap<>();
  private final long startedAt;
  private final long downTimeMs;

  private DurableState st;
  private AgentState state = AgentState.STARTING;
  private boolean bootstrapping = true;
  /** The state in memory is newer than the file: a save failed and is retried every decision. */
  private boolean unsaved;
  private String stateProblem = "";
  private String warning = "";
  private long nextSaveAttemptAt;
  private static final long SAVE_RETRY_MS = 1000;
  private Map<String, PeerRedisProbe> peerRedis = Map.of();
  /** The run id the epoch master advertised while it served; its Redis is judged against it. */
  private String servingRunId = "";
  private String servingRunIdOf = "";
  private final MasterPersistencePolicy persistencePolicy;
  /** An accepted operator switchover, pending until it runs or expires; null when none. */
  private Optional<String> switchoverTo = null;
  private long switchoverRequestedAt;
  private long switchoverExpiresAt;
  /** What the last decision saw, to judge an operator's switchover request against. */
  private Map<String, PeerReport> lastAlive = Map.of();
  private Optional<RedisInfo> lastInfo = Optional.empty();
  private boolean restartedSinceData;
  private long inSyncSince = -1;
  private boolean wantsMaster;
  private long wantsMasterSince = -1;
  private String handoverTo = "";
  private long handoverBackoffUntil;
  private static final long PERSIST_OFF_AFTER_MS = 1000;
  private final Deque<Long> faults = new ArrayDeque<>();
  private boolean inFaultEpisode;
  private String lastRunId = "";
  /** When this node's Redis was last seen restarted (run id changed). */
  private long restartSeenAt = Long.MIN_VALUE / 2;
  /**
   * The replication id the master of {@link #lineageEpoch} advertised while it was healthy with
   * that epoch's data: a Redis with the same id holds that data, up to its own offset.
   */
  private String lineageReplId = "";
  private long lineageEpoch = -1;
  private long tookOverAt = Long.MIN_VALUE / 2;
  private long suppressPreemptUntil;
  private long takeoverBackoffUntil;
  private String preparedFor = "";
  private String reason = "starting";

  public MasterElection(NodeConfig config, StateStore store, long now) {
    this.config = config;
    this.me = config.nodeId();
    this.store = store;
    this.st = store.load();
    this.startedAt = now;
    this.downTimeMs = config.coordination().advertIntervalMs() * config.coordination().downAfterAdverts();
    config.peers().forEach(p -> peerConfigs.put(p.nodeId(), p));
    // A replica a second or more behind in time is not keeping up; a lag that lasts as long as the
    // hold-off below turns the master's persistence on.
    long lag = Math.max(1000, 4 * config.coordination().advertIntervalMs());
    this.persistencePolicy = new MasterPersistencePolicy(lag, Math.max(1000, 2 * downTimeMs), PERSIST_OFF_AFTER_MS);
  }

  /** Without any probe of the peers' Redis (tests of rules that do not need one). */
  public Decision decide(RedisHealth h, Map<String, PeerReport> reports, long now) {
    return decide(h, reports, Map.of(), now);
  }

  /**
   * @param h the local Redis
   * @param reports the newest advert of every peer heard, with when it arrived (monotonic ms)
   * @param probes this node's own probes of the peers' Redis, by node id
   * @param now monotonic ms
   */
  public Decision decide(
      RedisHealth h, Map<String, PeerReport> reports, Map<String, PeerRedisProbe> probes, long now) {
    this.peerRedis = probes;
    if ((unsaved || !stateProblem.isEmpty()) && now >= nextSaveAttemptAt) {
      // Also after a failed takeover commit (nothing unsaved in memory): a successful write is
      // what shows the state file works again.
      nextSaveAttemptAt = now + SAVE_RETRY_MS;
      save(st);
    }
    Map<String, PeerReport> alive = new HashMap<>();
    reports.forEach(
        (id, r) -> {
          if (peerConfigs.containsKey(id) && now - r.receivedAtMillis() <= downTimeMs) {
            alive.put(id, r);
          }
        });
    adoptNewerEpoch(alive, reports, now);
    adoptNewerMaintenance(alive);
    noteLineage(alive);
    updateDataClaim(h, alive, now);
    while (!faults.isEmpty() && now - faults.peekFirst() > config.coordination().flapWindowMs()) {
      faults.removeFirst();
    }
    if (bootstrapping
        && (now - startedAt >= config.coordination().bootstrapWaitMs()
            || reports.keySet().containsAll(peerConfigs.keySet()))) {
      bootstrapping = false;
    }
    warning = "";
    lastAlive = alive;
    lastInfo = h.up() ? h.info() : Optional.empty();
    expireSwitchover(now);
    Decision d = decideFor(h, alive, reports, now);
    if (d.action() != Decision.Action.FAULT && h.up()) {
      inFaultEpisode = false;
    }
    state = switch (d.action()) {
      case MASTER -> AgentState.MASTER;
      case HAND_OVER -> AgentState.HANDING_OVER;
      case REPLICA -> AgentState.REPLICA;
      case FAULT -> AgentState.FAULT;
      case WAIT -> bootstrapping || (restartedSinceData && me.equals(st.epochMaster())) ? AgentState.STARTING
          : me.equals(st.epochMaster()) ? AgentState.MASTER : AgentState.REPLICA;
    };
    reason = d.reason();
    return d;
  }

  private Decision decideFor(
      RedisHealth h, Map<String, PeerReport> alive, Map<String, PeerReport> reports, long now) {
    if (!h.up()) {
      if (me.equals(st.epochMaster())) {
        noteFault(now);
      }
      String why = h.status() == RedisHealth.Status.LOADING
          ? "my Redis is loading its dataset" : "my Redis is down: " + h.reason();
      return Decision.fault(st.epoch(), st.epochMaster(), healthyMasterRedis(alive), h.status() == RedisHealth.Status.LOADING ? Cause.LOCAL_REDIS_LOADING : Cause.LOCAL_REDIS_DOWN, why);
    }
    String master = st.epochMaster();
    if (me.equals(master)) {
      return asMaster(h, alive, now);
    }
    if (bootstrapping && !(alive.containsKey(master) && isHealthyMaster(alive.get(master)))) {
      return Decision.waiting(st.epoch(), master, Cause.BOOTSTRAP, "bootstrap: listening for peers before acting");
    }
    if (master.isEmpty()) {
      return electFirstMaster(h, alive, now);
    }
    PeerReport x = alive.get(master);
    MasterRedisEvidence ev = MasterRedisEvidence.of(probeOf(master), servingRunId);
    if (x != null && claimsMaster(x)) {
      if (ev.kind() == MasterRedisEvidence.Kind.RESTARTED
          || (ev.kind() == MasterRedisEvidence.Kind.GONE && probeOf(master).outcome() == PeerRedisProbe.Outcome.REFUSED)) {
        // Definite answers only while its agent claims the role: a refused connection (nothing
        // listens) or another run id (restarted, so empty). A timeout may be the network between
        // us; its agent, which still answers, judges its own Redis.
        return considerTakeover(master, h, alive, reports, false, "its Redis " + ev.phrase(), now);
      }
      return asReplicaOf(x, h, alive, reports, now);
    }
    if (x != null && (x.advert().state() == AgentState.REPLICA || x.advert().state() == AgentState.STARTING)) {
      // Transitional: it has just been handed the role, or its agent restarted. Its adverts will
      // say MASTER or FAULT within a moment; silence is handled below.
      return Decision.waiting(st.epoch(), master, Cause.MASTER_IN_TRANSITION, master + " is master of epoch " + st.epoch() + " but reports " + x.advert().state() + "; waiting");
    }
    if (x == null) {
      PeerReport last = reports.get(master);
      long silentFor = now - (last == null ? startedAt : last.receivedAtMillis());
      long skew = (256 - config.priority()) * config.coordination().advertIntervalMs() / 256;
      if (silentFor < downTimeMs + skew) {
        return Decision.waiting(st.epoch(), master, Cause.MASTER_SILENT, "master " + master + " silent for " + silentFor + " ms; waiting for the down time");
      }
      boolean handingToMe = last != null && last.advert().state() == AgentState.HANDING_OVER
          && me.equals(last.advert().handoverTo());
      if (handingToMe && silentFor < config.failover().switchoverTimeoutMs() + downTimeMs
          && !ev.kind().failed()) {
        return Decision.waiting(st.epoch(), master, Cause.HANDOVER_TO_ME_PENDING, "master " + master + " is handing over to me and silent for "
            + silentFor + " ms; a planned handover is never overridden while its Redis " + ev.phrase());
      }
      String silence = master + "'s agent silent for " + silentFor + " ms";
      return switch (ev.kind()) {
        case HEALTHY_MASTER -> {
          if (servingRunId.isEmpty()) {
            // Never heard in this run: its Redis may be a restarted, empty master, and following
            // it would copy nothing over this node's data.
            yield noted(Decision.waiting(st.epoch(), master, Cause.MASTER_AGENT_SILENT_REDIS_ALIVE, silence + ", its Redis answers as master but I never heard it serve:"
                + " no action (neither following it nor promoting myself)"));
          }
          yield noted(Decision.replica(st.epoch(), master, Optional.of(redisOf(master)), Cause.MASTER_AGENT_SILENT_REDIS_ALIVE,
              silence + ", its Redis healthy: no action"));
        }
        case BUSY -> {
          long busyFor = probeOf(master).busyForMillis(now);
          if (busyFor < config.health().busyShutdownAfterMs()) {
            yield noted(Decision.waiting(st.epoch(), master, Cause.MASTER_AGENT_SILENT_REDIS_ALIVE, silence + ", its Redis is busy running a script for "
                + busyFor + " ms: alive, no action"));
          }
          // Its agent would have killed the script or shut the server down by now: it is gone, and
          // the server may finish its script and accept writes at any moment. The fence tries to
          // kill the script and, if it wrote, shuts the server down before this node promotes.
          Decision d = considerTakeover(master, h, alive, reports, true, "its agent has been silent for " + silentFor
              + " ms and its Redis busy for " + busyFor + " ms (past health.busy_shutdown_after_ms)", now);
          yield d.takeover() ? d.shuttingDownBusy(redisOf(master)) : d;
        }
        case UNCERTAIN -> noted(Decision.waiting(st.epoch(), master, Cause.AWAITING_EVIDENCE, silence + "; its Redis " + ev.phrase()
            + ": waiting for evidence before taking over"));
        default -> considerTakeover(master, h, alive, reports, probeOf(master).alive(),
            "its agent has been silent for " + silentFor + " ms and its Redis " + ev.phrase(), now);
      };
    }
    String why = "its agent reports " + x.advert().state() + (x.advert().redisUp() ? "" : " (its Redis is down)");
    if (x.advert().state() == AgentState.STOPPING) {
      // A stopping agent releases its endpoints; its Redis may still take writes (external
      // mode): catch up first, then take over.
      return considerTakeover(master, h, alive, reports, probeOf(master).alive(), why, now);
    }
    if (!ev.kind().failed()) {
      // A FAULT report is acted on only when this node's own probe backs it: a master whose agent
      // cannot reach its Redis while the Redis serves everyone else is not failed over.
      return noted(Decision.waiting(st.epoch(), master, Cause.AWAITING_EVIDENCE, master + "'s " + why.substring(4) + ", but its Redis " + ev.phrase()
          + " to my probe: waiting for evidence before taking over"));
    }
    return considerTakeover(master, h, alive, reports, probeOf(master).alive(), why + " and my probe agrees: its Redis "
        + ev.phrase(), now);
  }

  /** A decision that leaves things as they are although something is wrong: shown in status. */
  private Decision noted(Decision d) {
    warning = d.reason();
    return d;
  }

  private PeerRedisProbe probeOf(String nodeId) {
    PeerRedisProbe p = peerRedis.get(nodeId);
    return p != null ? p : PeerRedisProbe.unknown(nodeId, redisOf(nodeId), 0);
  }

  private Decision asMaster(RedisHealth h, Map<String, PeerReport> alive, long now) {
    RedisInfo info = h.info().orElseThrow();
    if (st.dataEpoch() < 0) {
      noteFault(now);
      return Decision.fault(st.epoch(), me, healthyMasterRedis(alive), Cause.LOCAL_DATA_LOST,
          "my Redis restarted without its data (it was not persisting); it must not serve as master");
    }
    // A probe that finished within one probe timeout of our own promotion may predate it.
    boolean probeAfterTakeover = h.takenAtMillis() > tookOverAt + config.health().timeoutMs();
    if (!info.isMaster() && !isParked(info) && probeAfterTakeover) {
      // Someone demoted my Redis (a peer fenced me while my agent was away): promoting it back
      // would make two masters. The peer's newer epoch will arrive with its adverts.
      return Decision.waiting(st.epoch(), me, Cause.FENCED_BY_PEER, "my Redis replicates from " + info.masterHost() + ":" + info.masterPort()
          + " although I was master of epoch " + st.epoch() + "; another node fenced me, waiting for its epoch");
    }
    if (restartedSinceData) {
      Optional<PeerReport> newer = alive.values().stream()
          // Any peer holding data is a better source than a restarted server: what RDB or AOF
          // brought back is older than what a replica received up to the crash. So is a peer
          // further along this server's own replication stream, claim or not.
          .filter(r -> r.advert().redisUp() && r.advert().state() != AgentState.FAULT && !r.advert().nodeId().equals(me)
              && (r.advert().dataEpoch() >= 0
                  || (r.advert().replId().equals(info.replId()) && r.advert().replOffset() > info.replOffset())))
          .findFirst();
      if (newer.isPresent()) {
        noteFault(now);
        Advert n = newer.get().advert();
        return Decision.fault(st.epoch(), me, Optional.empty(), Cause.NEWER_DATA_ELSEWHERE,
            "my Redis restarted from disk; " + n.nodeId() + " holds newer data (epoch " + n.dataEpoch()
                + ", offset " + n.replOffset() + " against my " + info.replOffset() + ") than a restart from disk brings back");
      }
      // A peer with keys but no claim yet may be a replica whose claim is one advert away.
      boolean peerMayClaim = alive.values().stream().anyMatch(r -> r.advert().redisUp()
          && r.advert().state() != AgentState.FAULT && r.advert().dataEpoch() < 0 && r.advert().keys() > 0);
      if (peerMayClaim && now - restartSeenAt < 2 * downTimeMs) {
        return Decision.waiting(st.epoch(), me, Cause.RESTARTED_FROM_DISK,
            "my Redis restarted from disk; a peer holds keys but no claim yet; waiting before keeping my data");
      }
      // Cold start of the whole group: a peer that has not answered yet (or whose Redis is still
      // starting) may hold newer data than this file; keeping this one now would make that peer
      // resync from the older copy. Stay parked and advertise STARTING meanwhile.
      boolean peersUnknown = bootstrapping || alive.values().stream().anyMatch(r -> !r.advert().redisUp());
      if (peersUnknown && now - startedAt < 2 * config.coordination().bootstrapWaitMs()) {
        return Decision.waiting(st.epoch(), me, Cause.RESTARTED_FROM_DISK,
            "my Redis restarted from disk; waiting for every reachable peer's Redis to answer before keeping its data");
      }
      Optional<String> blocker = reachableMasterOrNewerData(alive, "", info);
      if (blocker.isPresent()) {
        return noted(Decision.waiting(st.epoch(), me, Cause.PEER_REDIS_IN_THE_WAY, "my Redis restarted from disk, but " + blocker.get()
            + ": not keeping my data as the group's"));
      }
      // No peer holds data: what this server brought back from disk is the last copy.
      log.info("[{}] my Redis restarted from disk and no peer holds data: keeping it as the group's data", me);
      restartedSinceData = false;
    }
    persistencePolicy.noteMasterOffset(info.replOffset(), now);
    boolean replicaKeepsUp = alive.values().stream().anyMatch(r -> keepsUpAndPersists(r, info, now));
    boolean persist = persistencePolicy.decide(replicaKeepsUp, now);
    if (!paused() && now >= handoverBackoffUntil) {
      Optional<PeerReport> target = handoverTarget(alive, info);
      if (target.isPresent()) {
        handoverTo = target.get().advert().nodeId();
        return Decision.handOver(st.epoch(), me,
            new Decision.Target(handoverTo, redisOf(handoverTo)), switchoverTo != null ? Cause.SWITCHOVER : Cause.PREEMPTION,
            switchoverTo != null
                ? "operator switchover to " + handoverTo
                : handoverTo + " has higher priority and is in sync: handing the master role back");
      }
    }
    handoverTo = "";
    return Decision.master(st.epoch(), me, persist, Cause.MASTER_OF_EPOCH,
        "I am master of epoch " + st.epoch() + (persist ? "; persisting (no in-sync persisting replica)" : ""));
  }

  private Optional<PeerReport> handoverTarget(Map<String, PeerReport> alive, RedisInfo info) {
    if (switchoverTo != null) {
      return alive.values().stream()
          .filter(r -> switchoverTo.map(r.advert().nodeId()::equals).orElse(true))
          .filter(r -> inSyncWithMe(r, info))
          .max(Comparator.comparingInt(r -> r.advert().priority()));
    }
    return alive.values().stream()
        .filter(r -> r.advert().wantsMaster() && !r.advert().holdDown())
        .filter(r -> r.advert().priority() > config.priority())
        .filter(r -> inSyncWithMe(r, info))
        .findFirst();
  }

  /**
   * In sync as this master sees it too: Redis streams to a freshly synced replica only after its
   * first acknowledgement (up to a second after the replica reports its link up), so the replica's
   * own word is not enough; the master's INFO must list it online with an acknowledged offset
   * within the allowed lag.
   */
  private boolean inSyncWithMe(PeerReport r, RedisInfo mine) {
    Advert a = r.advert();
    HostPort redis = redisOf(a.nodeId());
    // "online" alone is not enough: after a diskless full sync Redis reports the replica online
    // but streams to it only after its first acknowledgement; an acknowledged offset shows that.
    boolean onlineHere = mine.replicas().stream().anyMatch(c -> c.online()
        && (c.offset() > 0 || mine.replOffset() == 0)
        && c.port() == redis.port()
        && c.ip().equals(redis.host())
        && mine.replOffset() - c.offset() <= config.failover().maxCatchUpLagBytes());
    return onlineHere
        && isLinkedReplicaOfThisEpoch(a)
        && mine.replOffset() - a.replOffset() <= config.failover().maxCatchUpLagBytes();
  }

  /** It says it replicates this master's epoch, with its link up and the epoch's data. */
  private boolean isLinkedReplicaOfThisEpoch(Advert a) {
    return a.state() == AgentState.REPLICA
        && a.epoch() == st.epoch()
        && me.equals(a.epochMaster())
        && a.redisUp()
        && a.masterLinkUp()
        && a.dataEpoch() == st.epoch();
  }

  /**
   * For the master's persistence (DESIGN rule 4): a replica of this epoch, linked, persisting, with
   * the epoch's data, listed online here, and at most a second behind in time by its own offset
   * (not by the acknowledgement Redis lists, which is up to a second old).
   */
  private boolean keepsUpAndPersists(PeerReport r, RedisInfo mine, long now) {
    Advert a = r.advert();
    HostPort redis = redisOf(a.nodeId());
    boolean onlineHere = mine.replicas().stream()
        .anyMatch(c -> c.online() && c.port() == redis.port() && c.ip().equals(redis.host()));
    return onlineHere
        && isLinkedReplicaOfThisEpoch(a)
        && a.persisting()
        && persistencePolicy.keepsUp(a.replOffset(), now);
  }

  private Decision asReplicaOf(
      PeerReport x, RedisHealth h, Map<String, PeerReport> alive, Map<String, PeerReport> reports, long now) {
    Advert xa = x.advert();
    HostPort xr = redisOf(xa.nodeId());
    RedisInfo info = h.info().orElseThrow();
    boolean parked = isParked(info);
    if (info.isMaster() && !parked) {
      if (xa.state() == AgentState.HANDING_OVER && me.equals(xa.handoverTo())) {
        long e = xa.epoch() + 1;
        // The old master already promoted my Redis: the role is mine whether or not the file can
        // be written now (a failed save is retried and reported).
        remember(new DurableState(e, me, e, info.runId(), h.persisting(), st.maintenance()));
        persistencePolicy.reset();
        tookOverAt = now;
        restartedSinceData = false;
        clearPreemption();
        return Decision.master(e, me, true, Cause.HANDED_OVER_TO_ME, "took over from " + xa.nodeId() + " by switchover; master of epoch " + e);
      }
      if (wantsMaster && now - wantsMasterSince < config.failover().switchoverTimeoutMs() + downTimeMs) {
        return Decision.waiting(st.epoch(), xa.nodeId(), Cause.HANDOVER_TO_ME_PENDING, "my Redis was promoted by a switchover; waiting for " + xa.nodeId() + " to confirm");
      }
    }
    updatePreemption(xa, info, now);
    return Decision.replica(st.epoch(), xa.nodeId(), Optional.of(xr), Cause.FOLLOWING_MASTER, "replica of " + xa.nodeId() + " (epoch " + st.epoch() + ")"
        + (wantsMaster ? "; asking it to hand the role back" : ""));
  }

  private Decision considerTakeover(
      String oldMaster, RedisHealth h, Map<String, PeerReport> alive, Map<String, PeerReport> reports,
      boolean catchUp, String why, long now) {
    clearPreemption();
    RedisInfo info = h.info().orElseThrow();
    if (paused()) {
      return Decision.waiting(st.epoch(), oldMaster, Cause.MAINTENANCE, "maintenance mode: not taking over although " + oldMaster + " failed: " + why);
    }
    if (now < takeoverBackoffUntil) {
      return Decision.waiting(st.epoch(), oldMaster, Cause.FENCE_BACKOFF, oldMaster + " failed (" + why + ") but could not be fenced last time; retrying shortly");
    }
    if (st.dataEpoch() < 0 || info.masterSyncInProgress()) {
      return Decision.waiting(st.epoch(), oldMaster, Cause.NO_COMPLETE_DATA,
          oldMaster + " failed (" + why + ") but my Redis holds no complete copy; not taking over");
    }
    Candidate mine = new Candidate(me, st.dataEpoch(), info.replOffset(), config.priority());
    Candidate best = alive.values().stream()
        .map(PeerReport::advert)
        .filter(a -> !a.nodeId().equals(oldMaster) && a.redisUp() && a.dataEpoch() >= 0 && a.state() != AgentState.FAULT)
        .map(a -> new Candidate(a.nodeId(), a.dataEpoch(), a.replOffset(), a.priority()))
        .reduce(mine, (a, b) -> BETTER.compare(a, b) >= 0 ? a : b);
    if (!best.nodeId().equals(me)) {
      return Decision.waiting(st.epoch(), oldMaster, Cause.BETTER_CANDIDATE, oldMaster + " failed (" + why + "); " + best.nodeId() + " is the better candidate");
    }
    Optional<String> blocker = reachableMasterOrNewerData(alive, oldMaster, info);
    if (blocker.isPresent()) {
      return noted(Decision.waiting(st.epoch(), oldMaster, Cause.PEER_REDIS_IN_THE_WAY, oldMaster + " failed (" + why + ") but " + blocker.get() + ": not promoting myself"));
    }
    if (!stateProblem.isEmpty()) {
      return Decision.waiting(st.epoch(), oldMaster, Cause.STATE_NOT_WRITABLE, oldMaster + " failed (" + why + ") but I cannot record a new epoch ("
          + stateProblem + "): not promoting myself");
    }
    long newEpoch = Math.max(st.epoch(), reports.values().stream().mapToLong(r -> r.advert().epoch()).max().orElse(0)) + 1;
    // A fence would only wait out another timeout against a Redis this node's probes already found
    // unreachable: that is the fence's own outcome, known now.
    PeerRedisProbe old = probeOf(oldMaster);
    boolean knownUnreachable = old.unreachable(MasterRedisEvidence.NO_ANSWER_PROBES)
        && now - old.checkedAtMillis() <= config.health().intervalMs() + config.health().timeoutMs();
    return Decision.takeover(newEpoch, me, knownUnreachable ? Optional.empty() : Optional.of(redisOf(oldMaster)), catchUp, Cause.MASTER_FAILED,
        "taking over from " + oldMaster + ": " + why);
  }

  /**
   * DESIGN §4: before promoting itself a node asks every configured peer's Redis directly. A peer
   * heard within the down time speaks for its Redis in its adverts; for any other (silent, never
   * heard, adverts that fail authentication) this node's own probe must show that its Redis is
   * gone or holds nothing newer than ours. {@code except} is the old master being fenced.
   *
   * @return why not to promote, if a peer's Redis stands in the way
   */
  private Optional<String> reachableMasterOrNewerData(Map<String, PeerReport> alive, String except, RedisInfo mine) {
    for (String peer : peerConfigs.keySet()) {
      if (peer.equals(except) || alive.containsKey(peer)) {
        continue;
      }
      PeerRedisProbe p = probeOf(peer);
      if (p.outcome() == PeerRedisProbe.Outcome.UNKNOWN) {
        return Optional.of("I have not yet probed " + peer + "'s Redis, and its agent is not heard");
      }
      if (!p.alive() || p.info().isEmpty()) {
        continue;
      }
      RedisInfo theirs = p.info().get();
      boolean isParked = !theirs.isMaster() && redisOf(peer).equals(new HostPort(theirs.masterHost(), theirs.masterPort()));
      if (p.outcome() == PeerRedisProbe.Outcome.BUSY) {
        return Optional.of(peer + "'s Redis is busy running a script (alive) and its agent is not heard");
      }
      if (theirs.isMaster()) {
        // Empty or not: promoting beside it makes two writable masters (DESIGN rule 2).
        return Optional.of(peer + "'s Redis answers as a master holding " + theirs.keys()
            + " keys (offset " + theirs.replOffset() + ") and its agent is not heard");
      }
      if ((isParked || theirs.isMaster()) && theirs.replId().equals(mine.replId()) && theirs.replOffset() > mine.replOffset()) {
        return Optional.of(peer + "'s Redis holds newer data (offset " + theirs.replOffset() + " against my "
            + mine.replOffset() + ") and its agent is not heard");
      }
    }
    return Optional.empty();
  }

  private Decision electFirstMaster(RedisHealth h, Map<String, PeerReport> alive, long now) {
    RedisInfo info = h.info().orElseThrow();
    boolean peerStillStarting = alive.values().stream().anyMatch(r -> !r.advert().redisUp());
    if (peerStillStarting && now - startedAt < 2 * config.coordination().bootstrapWaitMs()) {
      return Decision.waiting(st.epoch(), "", Cause.NO_MASTER_YET_WAITING, "no master yet; waiting for every reachable peer's Redis to answer before choosing");
    }
    // For a group without history, keys stand in for the offset: the node holding data wins.
    Candidate mine = new Candidate(me, st.dataEpoch(), info.keys(), config.priority());
    Candidate best = alive.values().stream()
        .map(PeerReport::advert)
        .filter(a -> a.redisUp() && a.state() != AgentState.FAULT)
        .map(a -> new Candidate(a.nodeId(), a.dataEpoch(), a.keys(), a.priority()))
        .reduce(mine, (a, b) -> BETTER.compare(a, b) >= 0 ? a : b);
    if (!best.nodeId().equals(me)) {
      return Decision.waiting(st.epoch(), "", Cause.BETTER_CANDIDATE, "no master yet; " + best.nodeId() + " is the best candidate");
    }
    Optional<String> blocker = reachableMasterOrNewerData(alive, "", info);
    if (blocker.isPresent()) {
      return noted(Decision.waiting(st.epoch(), "", Cause.PEER_REDIS_IN_THE_WAY, "no master yet, but " + blocker.get() + ": not promoting myself"));
    }
    if (!stateProblem.isEmpty()) {
      return Decision.waiting(st.epoch(), "", Cause.STATE_NOT_WRITABLE, "no master yet, but I cannot record a new epoch (" + stateProblem + ")");
    }
    long newEpoch = st.epoch() + 1;
    for (PeerReport r : alive.values()) {
      newEpoch = Math.max(newEpoch, r.advert().epoch() + 1);
    }
    return Decision.takeover(newEpoch, me, Optional.empty(), false, Cause.NO_MASTER_YET,
        "no master yet and I hold the best data (" + info.keys() + " keys, data epoch " + st.dataEpoch() + ")");
  }

  private void updatePreemption(Advert master, RedisInfo info, long now) {
    boolean eligible = config.coordination().preempt()
        && !paused()
        && now >= suppressPreemptUntil
        && !holdDown()
        && config.priority() > master.priority()
        && info.masterLinkUp()
        && !info.masterSyncInProgress()
        && st.dataEpoch() == st.epoch()
        && master.replOffset() - info.replOffset() <= config.failover().maxCatchUpLagBytes();
    if (!eligible) {
      clearPreemption();
      return;
    }
    if (inSyncSince < 0) {
      inSyncSince = now;
    }
    boolean wants = now - inSyncSince >= config.coordination().preemptDelayMs();
    if (wants && !wantsMaster) {
      wantsMasterSince = now;
    }
    wantsMaster = wants;
  }

  private void clearPreemption() {
    inSyncSince = -1;
    wantsMaster = false;
    wantsMasterSince = -1;
  }

  /**
   * A newer epoch is adopted from any authentic advert, however late it arrived: epochs only grow,
   * and a node that missed its peer's promotion (its adverts delayed past the down time on a
   * starved host) must not elect itself into the same epoch. A tie is settled among live peers.
   */
  private void adoptNewerEpoch(Map<String, PeerReport> alive, Map<String, PeerReport> reports, long now) {
    for (PeerReport r : reports.values()) {
      Advert a = r.advert();
      if (a.epochMaster().isEmpty() || !peerConfigs.containsKey(a.nodeId())) {
        continue;
      }
      boolean newer = a.epoch() > st.epoch();
      // Two masters of one epoch (both took over at once): the higher priority, then the lower id, wins.
      boolean tieLost = alive.containsKey(a.nodeId())
          && a.epoch() == st.epoch()
          && a.state() == AgentState.MASTER
          && a.epochMaster().equals(a.nodeId())
          && !a.nodeId().equals(st.epochMaster())
          && (st.epochMaster().isEmpty()
              || (st.epochMaster().equals(me)
                  && (a.priority() > config.priority()
                      || (a.priority() == config.priority() && a.nodeId().compareTo(me) < 0))));
      if (newer || tieLost) {
        if (me.equals(st.epochMaster()) && !me.equals(a.epochMaster()) && handoverTo.isEmpty()) {
          // Losing the role other than by a handover is a fault for the hold-down count.
          noteFault(now);
        }
        // Stepping down must not wait for the disk; the save is retried until it lands.
        remember(st.withEpoch(a.epoch(), a.epochMaster()));
        if (me.equals(a.epochMaster())) {
          // Handed the role by a peer: the last probe may predate the promotion it made.
          tookOverAt = now;
          persistencePolicy.reset();
        }
        handoverTo = "";
        switchoverTo = null;
      }
    }
  }

  private void noteLineage(Map<String, PeerReport> alive) {
    if (!st.epochMaster().equals(servingRunIdOf)) {
      servingRunId = "";
      servingRunIdOf = st.epochMaster();
    }
    PeerReport m = alive.get(st.epochMaster());
    if (m != null && isHealthyMaster(m) && m.advert().epoch() == st.epoch()) {
      servingRunId = m.advert().redisRunId();
    }
    if (m != null && isHealthyMaster(m) && m.advert().epoch() == st.epoch() && m.advert().dataEpoch() == st.epoch()
        && !m.advert().replId().isEmpty()) {
      lineageReplId = m.advert().replId();
      lineageEpoch = st.epoch();
    }
  }

  /** Keeps {@link DurableState#dataEpoch()} true: what complete data the local Redis holds. */
  private void updateDataClaim(RedisHealth h, Map<String, PeerReport> alive, long now) {
    if (!h.up()) {
      return;
    }
    RedisInfo info = h.info().orElseThrow();
    DurableState next = st;
    if (!st.dataRunId().isEmpty() && !info.runId().equals(st.dataRunId())) {
      // Redis restarted. A server that was not persisting came back empty (or with an old file).
      next = next.withData(st.persisting() ? st.dataEpoch() : -1, info.runId(), h.persisting());
      restartedSinceData = true;
      restartSeenAt = now;
    } else if (st.dataRunId().isEmpty()) {
      next = next.withData(st.dataEpoch(), info.runId(), h.persisting());
      restartedSinceData = !lastRunId.isEmpty();
    }
    lastRunId = info.runId();
    String master = next.epochMaster();
    // Master of this epoch with a server that holds data and did not restart: its data is the
    // epoch's data (this also covers an epoch adopted from a peer that handed over to us). A
    // restarted server only becomes current once asMaster has found no better copy.
    boolean currentAsMaster = me.equals(master) && info.isMaster() && next.dataEpoch() >= 0 && !restartedSinceData;
    PeerReport m = alive.get(master);
    boolean currentAsReplica = m != null
        && !info.isMaster()
        && info.masterLinkUp()
        && !info.masterSyncInProgress()
        && redisOf(master).equals(new HostPort(info.masterHost(), info.masterPort()))
        && m.advert().epoch() == next.epoch()
        && m.advert().dataEpoch() == next.epoch();
    // A replica whose Redis carries the epoch master's replication id holds that epoch's data (up
    // to its offset), even if the master died before this node's next probe saw the link up:
    // the full sync finished (the id is only adopted then) and nothing else writes to it.
    boolean currentByLineage = !me.equals(master)
        && !info.isMaster()
        && !info.masterSyncInProgress()
        && lineageEpoch == next.epoch()
        && info.replId().equals(lineageReplId)
        && next.dataEpoch() < next.epoch();
    if (currentByLineage) {
      log.info("[{}] my Redis holds {}'s epoch {} data (its replication id, offset {})", me, master, next.epoch(),
          info.replOffset());
    }
    if (currentAsMaster || currentAsReplica || currentByLineage) {
      next = next.withData(next.epoch(), info.runId(), h.persisting());
      restartedSinceData = false;
    } else if (next.persisting() != h.persisting() && next.dataEpoch() >= 0 && !restartedSinceData) {
      next = next.withData(next.dataEpoch(), next.dataRunId(), h.persisting());
    }
    if (!next.equals(st)) {
      if (next.dataEpoch() != st.dataEpoch() || !next.dataRunId().equals(st.dataRunId())) {
        log.info("[{}] data claim: epoch {} -> {} (run id {}, persisting {}{})", me, st.dataEpoch(), next.dataEpoch(),
            abbrev(next.dataRunId()), next.persisting(), restartedSinceData ? ", Redis restarted" : "");
      }
      remember(next);
    }
  }

  /** Its agent acts as master; whether its Redis is really fine is checked through the upstream. */
  private boolean claimsMaster(PeerReport r) {
    AgentState s = r.advert().state();
    return s == AgentState.MASTER || s == AgentState.HANDING_OVER;
  }

  private boolean isHealthyMaster(PeerReport r) {
    Advert a = r.advert();
    return (a.state() == AgentState.MASTER || a.state() == AgentState.HANDING_OVER)
        && a.redisUp()
        && "master".equals(a.redisRole())
        && a.dataEpoch() >= 0;
  }

  private Optional<HostPort> healthyMasterRedis(Map<String, PeerReport> alive) {
    return alive.values().stream()
        .filter(this::isHealthyMaster)
        .filter(r -> r.advert().nodeId().equals(st.epochMaster()))
        .map(r -> redisOf(r.advert().nodeId()))
        .findFirst();
  }

  private boolean isParked(RedisInfo info) {
    HostPort upstream = new HostPort(info.masterHost(), info.masterPort());
    return upstream.equals(config.redis().announce()) || upstream.equals(config.redis().address());
  }

  private void noteFault(long now) {
    if (!inFaultEpisode) {
      inFaultEpisode = true;
      faults.addLast(now);
    }
  }

  private HostPort redisOf(String nodeId) {
    return nodeId.equals(me) ? config.redis().announce() : peerConfigs.get(nodeId).redis();
  }

  private static String abbrev(String runId) {
    return runId.length() > 8 ? runId.substring(0, 8) : runId;
  }

  // Callbacks from the controller, through the coordinator.

  /**
   * Records the takeover's epoch on disk before the controller promotes (DESIGN §4: epochs are
   * kept on disk, so a restarted agent never forgets it was master).
   *
   * @return false if the epoch could not be made durable: the controller must not promote, and
   *     takeovers wait until the state file can be written again
   */
  public boolean commitTakeover(Decision d, RedisHealth h, long now) {
    DurableState next = new DurableState(d.epoch(), me, d.epoch(), h.runId(), h.persisting(), st.maintenance());
    if (!save(next)) {
      takeoverBackoffUntil = now + downTimeMs;
      return false;
    }
    tookOverAt = now;
    restartedSinceData = false;
    persistencePolicy.reset();
    clearPreemption();
    return true;
  }

  /** The state in memory becomes {@code next} at once; the file follows, or is retried. */
  private void remember(DurableState next) {
    st = next;
    if (!save(next)) {
      unsaved = true;
    }
  }

  /** Writes the state file; on success {@code next} is the state, on failure nothing changes. */
  private boolean save(DurableState next) {
    try {
      store.save(next);
    } catch (UncheckedIOException | IllegalStateException e) {
      String problem = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!problem.equals(stateProblem)) {
        log.error("[{}] {}; no promotion until the state file can be written", me, problem);
      }
      stateProblem = problem;
      return false;
    }
    st = next;
    unsaved = false;
    if (!stateProblem.isEmpty()) {
      log.info("[{}] the state file is written again (epoch {})", me, next.epoch());
      stateProblem = "";
    }
    return true;
  }

  /**
   * A decision an operator should know about although nothing moved ("master a's agent silent
   * ..., its Redis healthy: no action"), "" when there is none.
   */
  public String warning() {
    return warning;
  }

  /** Why the state file cannot be written now, "" when it can. */
  public String stateProblem() {
    return stateProblem;
  }

  /**
   * The old master answered but could not be demoted: do not promote (two masters), and do not
   * hammer it either; try again after one down time.
   */
  public void takeoverAborted(long now) {
    takeoverBackoffUntil = now + downTimeMs;
  }

  public void handoverFinished(Decision d, boolean success, long now) {
    if (success && switchoverTo != null) {
      // The operator chose the new master: do not take the role back by preemption at once.
      suppressPreemptUntil = now + config.coordination().flapWindowMs();
    }
    switchoverTo = null;
    if (success) {
      String target = d.handoverTo().orElseThrow().nodeId();
      remember(st.withEpoch(st.epoch() + 1, target));
    } else {
      handoverBackoffUntil = now + 5 * config.failover().switchoverTimeoutMs();
    }
    handoverTo = "";
  }

  /**
   * An operator's pause or resume, taken by this node's agent: a new version of the group's
   * maintenance state, carried to every agent in the adverts and kept on disk.
   *
   * @return whether it is on disk (false: in effect in memory only, and the save is retried)
   */
  public boolean setPaused(boolean p, long wallMillis) {
    remember(st.withMaintenance(st.maintenance().next(p, me, wallMillis)));
    applyMaintenance();
    return !unsaved;
  }

  private void adoptNewerMaintenance(Map<String, PeerReport> alive) {
    for (PeerReport r : alive.values()) {
      Maintenance m = r.advert().maintenance();
      if (m.newerThan(st.maintenance())) {
        log.info("[{}] maintenance mode {} by {} (version {}), as {} reports", me, m.paused() ? "on" : "off", m.by(),
            m.version(), r.advert().nodeId());
        remember(st.withMaintenance(m));
        applyMaintenance();
      }
    }
  }

  private void applyMaintenance() {
    if (paused()) {
      clearPreemption();
    } else {
      suppressPreemptUntil = 0;
    }
  }

  public boolean paused() {
    return st.maintenance().paused();
  }

  public Maintenance maintenance() {
    return st.maintenance();
  }

  /**
   * An operator's switchover, checked against what the last decision saw. It is accepted only if
   * it can happen now: this node is the master, the target exists, is not this node, is heard and
   * is an in-sync replica. An accepted request runs at the next decision, or expires after {@code
   * failover.switchover_request_timeout_ms}; it never runs unprompted later.
   *
   * @return why it is refused, or empty if it is accepted (pending)
   */
  public Optional<String> requestSwitchover(Optional<String> to, long now) {
    if (!me.equals(st.epochMaster()) || state != AgentState.MASTER) {
      return Optional.of("this node (" + me + ") is not the master (" + state + "); the master of epoch " + st.epoch()
          + " is " + (st.epochMaster().isEmpty() ? "nobody" : st.epochMaster()) + ": send the switchover to its agent");
    }
    RedisInfo info = lastInfo.orElse(null);
    if (info == null) {
      return Optional.of("my Redis does not answer; nothing to hand over");
    }
    if (to.isPresent()) {
      String target = to.get();
      if (target.equals(me)) {
        return Optional.of(me + " is already the master (epoch " + st.epoch() + ")");
      }
      if (!peerConfigs.containsKey(target)) {
        return Optional.of("no node '" + target + "' in group " + config.group() + " (nodes: "
            + String.join(", ", new java.util.TreeSet<>(allNodeIds())) + ")");
      }
      PeerReport r = lastAlive.get(target);
      if (r == null) {
        return Optional.of(target + "'s agent is not heard (no advert within " + downTimeMs
            + " ms): it cannot take the role now");
      }
      // A replica of this epoch that is only some bytes behind is accepted: the request waits
      // (until it expires) for it to catch up. One that is not replicating at all is refused.
      if (!isLinkedReplicaOfThisEpoch(r.advert())) {
        return Optional.of(target + " is not an in-sync replica: " + whyNotInSync(r, info));
      }
    } else if (lastAlive.values().stream().noneMatch(r -> isLinkedReplicaOfThisEpoch(r.advert()))) {
      return Optional.of("no in-sync replica to hand over to");
    }
    switchoverTo = to;
    switchoverRequestedAt = now;
    switchoverExpiresAt = now + config.failover().switchoverRequestTimeoutMs();
    handoverBackoffUntil = 0;
    return Optional.empty();
  }

  /** Drops a pending switchover; false if there was none. */
  public boolean cancelSwitchover() {
    boolean had = switchoverTo != null;
    switchoverTo = null;
    return had;
  }

  /** The pending operator switchover in one line, "" when none. */
  public String pendingSwitchover(long now) {
    if (switchoverTo == null) {
      return "";
    }
    return "to " + switchoverTo.orElse("the best in-sync replica") + ", requested " + (now - switchoverRequestedAt)
        + " ms ago, expires in " + Math.max(0, switchoverExpiresAt - now) + " ms";
  }

  private void expireSwitchover(long now) {
    if (switchoverTo != null && now > switchoverExpiresAt) {
      log.warn("[{}] switchover request {} expired after {} ms without an in-sync target; nothing was changed", me,
          switchoverTo.map(t -> "to " + t).orElse(""), now - switchoverRequestedAt);
      switchoverTo = null;
    }
  }

  private java.util.Set<String> allNodeIds() {
    java.util.Set<String> ids = new java.util.HashSet<>(peerConfigs.keySet());
    ids.add(me);
    return ids;
  }

  private String whyNotInSync(PeerReport r, RedisInfo mine) {
    Advert a = r.advert();
    if (a.state() != AgentState.REPLICA || !me.equals(a.epochMaster()) || a.epoch() != st.epoch()) {
      return "it reports " + a.state() + " in epoch " + a.epoch();
    }
    if (!a.redisUp() || !a.masterLinkUp()) {
      return "its Redis " + (a.redisUp() ? "has its replication link down" : "is down");
    }
    if (a.dataEpoch() != st.epoch()) {
      return "it does not hold this epoch's complete data yet";
    }
    return (mine.replOffset() - a.replOffset()) + " bytes behind (at most " + config.failover().maxCatchUpLagBytes()
        + " allowed), or not yet acknowledged by my Redis";
  }

  public boolean holdDown() {
    return faults.size() >= config.coordination().flapMaxFaults();
  }

  public AgentState state() {
    return state;
  }

  public DurableState durable() {
    return st;
  }

  public boolean wantsMaster() {
    return wantsMaster;
  }

  /**
   * On the master: the node it is handing over to. On another node: the handover its endpoints
   * are prepared for (held, nothing in flight), which the master waits for before FAILOVER.
   */
  public String handoverTo() {
    return handoverTo.isEmpty() ? preparedFor : handoverTo;
  }

  public void setHandoverPrepared(String target) {
    preparedFor = target;
  }

  public String reason() {
    return reason;
  }

  private record Candidate(String nodeId, long dataEpoch, long offset, int priority) {}

  /** DESIGN §4: the complete, most recent data first, then priority, then the lower node id. */
  private static final Comparator<Candidate> BETTER = Comparator.comparingLong(Candidate::dataEpoch)
      .thenComparingLong(Candidate::offset)
      .thenComparingInt(Candidate::priority)
      .thenComparing(Candidate::nodeId, Comparator.reverseOrder());
}
