package dev.redisha.coordination;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.coordination.CandidateRanking.Candidate;
import dev.redisha.coordination.Decision.Cause;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisInfo;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group's policy (DESIGN §3, §4), once for every backend, as Patroni's {@code Ha}: a pure
 * function of the local health, the members' published statuses, this node's own probes of their
 * Redis, and the time. The backend ({@link GroupBackend}) only supplies primitives; the rules with
 * state of their own are small classes: {@link DataClaim} (no empty master), {@link
 * PersistenceFollowsReplica}, {@link Preemption}, {@link SwitchoverRequest}, {@link HoldDown};
 * the stateless judgments are {@link CandidateRanking}, {@link PromotionGuard}, {@link
 * ReplicaSync} and {@link MasterRedisEvidence}.
 *
 * <p>The rules, in the order they are applied:
 *
 * <ol>
 *   <li>A newer epoch the group shows is adopted (a master that sees one steps down).
 *   <li>A node whose Redis is down, loading, or restarted without its data is FAULT and never
 *       master (DESIGN rule 1).
 *   <li>The master of the epoch stays master; it hands over to a preferred in-sync replica that
 *       asks (preemption) or to the operator's choice (switchover).
 *   <li>A replica follows a healthy master. The master's Redis is judged by this node's own
 *       probes of it ({@link MasterRedisEvidence}), never by its agent alone: it is taken over
 *       from when it refuses connections, restarted, stops answering, or is no longer a master —
 *       whether its agent says so (FAULT), is silent for the down time, or still claims the role.
 *       A silent agent beside a Redis that answers as a healthy master is reported, not failed
 *       over. The best candidate ({@link CandidateRanking}) takes over with the next epoch,
 *       fencing the old master first.
 *   <li>No node promotes itself past a member whose agent it does not hear while that member's
 *       Redis answers as a master or holds newer data (a wrong key, a dead agent, a cold start).
 *   <li>A promotion happens only once the backend has recorded its epoch ({@link
 *       GroupBackend#tryTakeLeadership}); a takeover that cannot be recorded is not made.
 * </ol>
 */
public final class GroupPolicy implements GroupBackend.Changes {
  private static final Logger log = LoggerFactory.getLogger(GroupPolicy.class);
  private final NodeConfig config;
  private final String me;
  private final GroupBackend backend;
  private final StateRecord record;
  private final Map<String, PeerConfig> peerConfigs = new HashMap<>();
  private final long startedAt;
  private final long downTimeMs;
  private final DataClaim claim;
  private final PersistenceFollowsReplica persistence;
  private final Preemption preemption;
  private final SwitchoverRequest switchover;
  private final HoldDown holdDown;
  private final PromotionGuard guard;
  private final ReplicaSync sync;

  /** What the latest decision was and saw: the published status and operator requests read it. */
  private AgentState state = AgentState.STARTING;
  private String reason = "starting";
  private String warning = "";
  private boolean bootstrapping = true;
  private Map<String, PeerRedisProbe> peerRedis = Map.of();
  private Map<String, MemberReport> lastAlive = Map.of();
  private Optional<RedisInfo> lastInfo = Optional.empty();
  private RedisHealth lastHealth;

  /** A term as master: when it began (its first probes may predate it), and its handovers. */
  private long tookOverAt = Long.MIN_VALUE / 2;
  private String handoverTo = "";
  private long handoverBackoffUntil;
  private long takeoverBackoffUntil;
  /** On a replica: the handover its endpoints are held for. */
  private String preparedFor = "";

  public GroupPolicy(NodeConfig config, GroupBackend backend, StateRecord record, long now) {
    this.config = config;
    this.me = config.nodeId();
    this.backend = backend;
    this.record = record;
    this.startedAt = now;
    this.downTimeMs = config.coordination().advertIntervalMs() * config.coordination().downAfterAdverts();
    config.peers().forEach(p -> peerConfigs.put(p.nodeId(), p));
    this.claim = new DataClaim(me, this::redisOf);
    this.persistence = new PersistenceFollowsReplica(config.coordination().advertIntervalMs(), downTimeMs);
    this.preemption = new Preemption(config.coordination().preempt(), config.priority(),
        config.coordination().preemptDelayMs(), config.failover().maxCatchUpLagBytes());
    this.switchover = new SwitchoverRequest(me, config.failover().switchoverRequestTimeoutMs());
    this.holdDown = new HoldDown(config.coordination().flapWindowMs(), config.coordination().flapMaxFaults());
    this.guard = new PromotionGuard(peerConfigs.keySet(), this::redisOf);
    this.sync = new ReplicaSync(me, config.failover().maxCatchUpLagBytes(), this::redisOf);
    this.lastHealth = RedisHealth.unknown(now);
  }

  /**
   * @param h the local Redis
   * @param probes this node's own probes of the other members' Redis, by node id
   * @param now monotonic ms
   */
  public Decision decide(RedisHealth h, Map<String, PeerRedisProbe> probes, long now) {
    this.peerRedis = probes;
    this.lastHealth = h;
    record.retryIfDue(now);
    Map<String, MemberReport> reports = backend.members();
    Map<String, MemberReport> alive = backend.live(now);
    backend.adoptNewer(alive, now, this);
    claim.noteLineage(st(), alive);
    DurableState claimed = claim.update(st(), h, alive, now);
    if (!claimed.equals(st())) {
      record.remember(claimed);
    }
    holdDown.expire(now);
    if (bootstrapping
        && (now - startedAt >= config.coordination().bootstrapWaitMs()
            || reports.keySet().containsAll(peerConfigs.keySet()))) {
      bootstrapping = false;
    }
    warning = "";
    lastAlive = alive;
    lastInfo = h.up() ? h.info() : Optional.empty();
    switchover.expire(now);
    Decision d = decideFor(h, alive, reports, now);
    if (d.action() != Decision.Action.FAULT && h.up()) {
      holdDown.episodeOver();
    }
    state = switch (d.action()) {
      case MASTER -> AgentState.MASTER;
      case HAND_OVER -> AgentState.HANDING_OVER;
      case REPLICA -> AgentState.REPLICA;
      case FAULT -> AgentState.FAULT;
      case WAIT -> bootstrapping || (claim.restartedSinceData() && me.equals(leader())) ? AgentState.STARTING
          : me.equals(leader()) ? AgentState.MASTER : AgentState.REPLICA;
    };
    reason = d.reason();
    backend.publish(status(h));
    return d;
  }

  private DurableState st() {
    return record.state();
  }

  private long epoch() {
    return backend.epoch();
  }

  private String leader() {
    return backend.leader();
  }

  private Decision decideFor(
      RedisHealth h, Map<String, MemberReport> alive, Map<String, MemberReport> reports, long now) {
    if (!h.up()) {
      if (me.equals(leader())) {
        holdDown.noteFault(now);
      }
      boolean loading = h.status() == RedisHealth.Status.LOADING;
      String why = loading ? "my Redis is loading its dataset" : "my Redis is down: " + h.reason();
      return Decision.fault(epoch(), leader(), healthyMasterRedis(alive),
          loading ? Cause.LOCAL_REDIS_LOADING : Cause.LOCAL_REDIS_DOWN, why);
    }
    String master = leader();
    if (me.equals(master)) {
      return asMaster(h, alive, now);
    }
    if (bootstrapping && !(alive.containsKey(master) && alive.get(master).status().isHealthyMaster())) {
      return Decision.waiting(epoch(), master, Cause.BOOTSTRAP, "bootstrap: listening for peers before acting");
    }
    if (master.isEmpty()) {
      return electFirstMaster(h, alive, now);
    }
    MemberReport x = alive.get(master);
    MasterRedisEvidence ev = MasterRedisEvidence.of(probeOf(master), claim.servingRunId());
    if (x != null && x.status().claimsMaster()) {
      if (ev.kind() == MasterRedisEvidence.Kind.RESTARTED
          || (ev.kind() == MasterRedisEvidence.Kind.GONE && probeOf(master).outcome() == PeerRedisProbe.Outcome.REFUSED)) {
        // Definite answers only while its agent claims the role: a refused connection (nothing
        // listens) or another run id (restarted, so empty). A timeout may be the network between
        // us; its agent, which still answers, judges its own Redis.
        return considerTakeover(master, h, alive, reports, false, "its Redis " + ev.phrase(), now);
      }
      return asReplicaOf(x.status(), h, now);
    }
    if (x != null && (x.status().state() == AgentState.REPLICA || x.status().state() == AgentState.STARTING)) {
      // Transitional: it has just been handed the role, or its agent restarted. Its status will
      // say MASTER or FAULT within a moment; silence is handled below.
      return Decision.waiting(epoch(), master, Cause.MASTER_IN_TRANSITION,
          master + " is master of epoch " + epoch() + " but reports " + x.status().state() + "; waiting");
    }
    if (x == null) {
      return masterSilent(master, ev, h, alive, reports, now);
    }
    String why = "its agent reports " + x.status().state() + (x.status().redisUp() ? "" : " (its Redis is down)");
    if (x.status().state() == AgentState.STOPPING) {
      // A stopping agent releases its endpoints; its Redis may still take writes (external
      // mode): catch up first, then take over.
      return considerTakeover(master, h, alive, reports, probeOf(master).alive(), why, now);
    }
    if (!ev.kind().failed()) {
      // A FAULT report is acted on only when this node's own probe backs it: a master whose agent
      // cannot reach its Redis while the Redis serves everyone else is not failed over.
      return noted(Decision.waiting(epoch(), master, Cause.AWAITING_EVIDENCE, master + "'s " + why.substring(4)
          + ", but its Redis " + ev.phrase() + " to my probe: waiting for evidence before taking over"));
    }
    return considerTakeover(master, h, alive, reports, probeOf(master).alive(), why + " and my probe agrees: its Redis "
        + ev.phrase(), now);
  }

  /** The master's agent is not heard: only the evidence about its Redis moves the role. */
  private Decision masterSilent(String master, MasterRedisEvidence ev, RedisHealth h, Map<String, MemberReport> alive,
      Map<String, MemberReport> reports, long now) {
    MemberReport last = reports.get(master);
    long silentFor = now - (last == null ? startedAt : last.heardAtMillis());
    long skew = (256 - config.priority()) * config.coordination().advertIntervalMs() / 256;
    if (silentFor < downTimeMs + skew) {
      return Decision.waiting(epoch(), master, Cause.MASTER_SILENT,
          "master " + master + " silent for " + silentFor + " ms; waiting for the down time");
    }
    boolean handingToMe = last != null && last.status().state() == AgentState.HANDING_OVER
        && me.equals(last.status().handoverTo());
    if (handingToMe && silentFor < config.failover().switchoverTimeoutMs() + downTimeMs
        && !ev.kind().failed()) {
      return Decision.waiting(epoch(), master, Cause.HANDOVER_TO_ME_PENDING, "master " + master
          + " is handing over to me and silent for " + silentFor
          + " ms; a planned handover is never overridden while its Redis " + ev.phrase());
    }
    String silence = master + "'s agent silent for " + silentFor + " ms";
    return switch (ev.kind()) {
      case HEALTHY_MASTER -> {
        if (claim.servingRunId().isEmpty()) {
          // Never heard in this run: its Redis may be a restarted, empty master, and following
          // it would copy nothing over this node's data.
          yield noted(Decision.waiting(epoch(), master, Cause.MASTER_AGENT_SILENT_REDIS_ALIVE, silence
              + ", its Redis answers as master but I never heard it serve:"
              + " no action (neither following it nor promoting myself)"));
        }
        yield noted(Decision.replica(epoch(), master, Optional.of(redisOf(master)),
            Cause.MASTER_AGENT_SILENT_REDIS_ALIVE, silence + ", its Redis healthy: no action"));
      }
      case BUSY -> {
        long busyFor = probeOf(master).busyForMillis(now);
        if (busyFor < config.health().busyShutdownAfterMs()) {
          yield noted(Decision.waiting(epoch(), master, Cause.MASTER_AGENT_SILENT_REDIS_ALIVE, silence
              + ", its Redis is busy running a script for " + busyFor + " ms: alive, no action"));
        }
        // Its agent would have killed the script or shut the server down by now: it is gone, and
        // the server may finish its script and accept writes at any moment. The fence tries to
        // kill the script and, if it wrote, shuts the server down before this node promotes.
        Decision d = considerTakeover(master, h, alive, reports, true, "its agent has been silent for " + silentFor
            + " ms and its Redis busy for " + busyFor + " ms (past health.busy_shutdown_after_ms)", now);
        yield d.takeover() ? d.shuttingDownBusy(redisOf(master)) : d;
      }
      case UNCERTAIN -> noted(Decision.waiting(epoch(), master, Cause.AWAITING_EVIDENCE, silence + "; its Redis "
          + ev.phrase() + ": waiting for evidence before taking over"));
      default -> considerTakeover(master, h, alive, reports, probeOf(master).alive(),
          "its agent has been silent for " + silentFor + " ms and its Redis " + ev.phrase(), now);
    };
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

  private Decision asMaster(RedisHealth h, Map<String, MemberReport> alive, long now) {
    RedisInfo info = h.info().orElseThrow();
    if (st().dataEpoch() < 0) {
      holdDown.noteFault(now);
      return Decision.fault(epoch(), me, healthyMasterRedis(alive), Cause.LOCAL_DATA_LOST,
          "my Redis restarted without its data (it was not persisting); it must not serve as master");
    }
    // A probe that finished within one probe timeout of our own promotion may predate it.
    boolean probeAfterTakeover = h.takenAtMillis() > tookOverAt + config.health().timeoutMs();
    if (!info.isMaster() && !isParked(info) && probeAfterTakeover) {
      // Someone demoted my Redis (a peer fenced me while my agent was away): promoting it back
      // would make two masters. The peer's newer epoch will arrive with its status.
      return Decision.waiting(epoch(), me, Cause.FENCED_BY_PEER, "my Redis replicates from " + info.masterHost() + ":"
          + info.masterPort() + " although I was master of epoch " + epoch()
          + "; another node fenced me, waiting for its epoch");
    }
    if (claim.restartedSinceData()) {
      Optional<Decision> held = restartedFromDisk(info, alive, now);
      if (held.isPresent()) {
        return held.get();
      }
    }
    boolean persist = persistence.decide(info, alive.values().stream().map(MemberReport::status)
        .filter(a -> sync.linkedReplicaOfMine(a, epoch())).toList(), this::redisOf, now);
    if (!paused() && now >= handoverBackoffUntil) {
      Optional<MemberStatus> target = handoverTarget(alive, info);
      if (target.isPresent()) {
        handoverTo = target.get().nodeId();
        return Decision.handOver(epoch(), me, new Decision.Target(handoverTo, redisOf(handoverTo)),
            switchover.pending() ? Cause.SWITCHOVER : Cause.PREEMPTION,
            switchover.pending()
                ? "operator switchover to " + handoverTo
                : handoverTo + " has higher priority and is in sync: handing the master role back");
      }
    }
    handoverTo = "";
    return Decision.master(epoch(), me, persist, Cause.MASTER_OF_EPOCH,
        "I am master of epoch " + epoch() + (persist ? "; persisting (no in-sync persisting replica)" : ""));
  }

  /**
   * DESIGN rule 1 for a master whose Redis restarted from disk: what RDB or AOF brought back is
   * kept as the group's data only when no member holds newer data.
   *
   * @return the decision that holds it back, or empty when its data is kept
   */
  private Optional<Decision> restartedFromDisk(RedisInfo info, Map<String, MemberReport> alive, long now) {
    Optional<MemberStatus> newer = alive.values().stream().map(MemberReport::status)
        // Any peer holding data is a better source than a restarted server: what RDB or AOF
        // brought back is older than what a replica received up to the crash. So is a peer
        // further along this server's own replication stream, claim or not.
        .filter(a -> a.redisUp() && a.state() != AgentState.FAULT && !a.nodeId().equals(me)
            && (a.dataEpoch() >= 0 || (a.replId().equals(info.replId()) && a.replOffset() > info.replOffset())))
        .findFirst();
    if (newer.isPresent()) {
      holdDown.noteFault(now);
      MemberStatus n = newer.get();
      return Optional.of(Decision.fault(epoch(), me, Optional.empty(), Cause.NEWER_DATA_ELSEWHERE,
          "my Redis restarted from disk; " + n.nodeId() + " holds newer data (epoch " + n.dataEpoch()
              + ", offset " + n.replOffset() + " against my " + info.replOffset() + ") than a restart from disk brings back"));
    }
    // A peer with keys but no claim yet may be a replica whose claim is one advert away.
    boolean peerMayClaim = alive.values().stream().map(MemberReport::status)
        .anyMatch(a -> a.redisUp() && a.state() != AgentState.FAULT && a.dataEpoch() < 0 && a.keys() > 0);
    if (peerMayClaim && now - claim.restartSeenAt() < 2 * downTimeMs) {
      return Optional.of(Decision.waiting(epoch(), me, Cause.RESTARTED_FROM_DISK,
          "my Redis restarted from disk; a peer holds keys but no claim yet; waiting before keeping my data"));
    }
    // Cold start of the whole group: a peer that has not answered yet (or whose Redis is still
    // starting) may hold newer data than this file; keeping this one now would make that peer
    // resync from the older copy. Stay parked and advertise STARTING meanwhile.
    boolean peersUnknown = bootstrapping || alive.values().stream().anyMatch(r -> !r.status().redisUp());
    if (peersUnknown && now - startedAt < 2 * config.coordination().bootstrapWaitMs()) {
      return Optional.of(Decision.waiting(epoch(), me, Cause.RESTARTED_FROM_DISK,
          "my Redis restarted from disk; waiting for every reachable peer's Redis to answer before keeping its data"));
    }
    Optional<String> blocker = guard.blocker(alive, "", info, this::probeOf);
    if (blocker.isPresent()) {
      return Optional.of(noted(Decision.waiting(epoch(), me, Cause.PEER_REDIS_IN_THE_WAY,
          "my Redis restarted from disk, but " + blocker.get() + ": not keeping my data as the group's")));
    }
    // No peer holds data: what this server brought back from disk is the last copy.
    log.info("[{}] my Redis restarted from disk and no peer holds data: keeping it as the group's data", me);
    claim.keptAfterRestart();
    return Optional.empty();
  }

  private Optional<MemberStatus> handoverTarget(Map<String, MemberReport> alive, RedisInfo info) {
    if (switchover.pending()) {
      return alive.values().stream().map(MemberReport::status)
          .filter(a -> switchover.allows(a.nodeId()))
          .filter(a -> sync.inSyncWith(a, info, epoch()))
          .max(Comparator.comparingInt(MemberStatus::priority));
    }
    return alive.values().stream().map(MemberReport::status)
        .filter(a -> a.wantsMaster() && !a.holdDown())
        .filter(a -> a.priority() > config.priority())
        .filter(a -> sync.inSyncWith(a, info, epoch()))
        .findFirst();
  }

  private Decision asReplicaOf(MemberStatus xa, RedisHealth h, long now) {
    HostPort xr = redisOf(xa.nodeId());
    RedisInfo info = h.info().orElseThrow();
    boolean parked = isParked(info);
    if (info.isMaster() && !parked) {
      if (xa.state() == AgentState.HANDING_OVER && me.equals(xa.handoverTo())) {
        long e = xa.epoch() + 1;
        // The old master already promoted my Redis: the role is mine whether or not the file can
        // be written now (a failed save is retried and reported).
        backend.leadershipHandedOver(e, me, new DurableState(e, me, e, info.runId(), h.persisting(), st().maintenance()));
        persistence.reset();
        tookOverAt = now;
        claim.keptAfterRestart();
        preemption.clear();
        return Decision.master(e, me, true, Cause.HANDED_OVER_TO_ME,
            "took over from " + xa.nodeId() + " by switchover; master of epoch " + e);
      }
      if (preemption.wantsMaster()
          && now - preemption.wantsMasterSince() < config.failover().switchoverTimeoutMs() + downTimeMs) {
        return Decision.waiting(epoch(), xa.nodeId(), Cause.HANDOVER_TO_ME_PENDING,
            "my Redis was promoted by a switchover; waiting for " + xa.nodeId() + " to confirm");
      }
    }
    preemption.update(xa.priority(), xa.replOffset(), info, st().dataEpoch() == epoch(), paused(), holdDown(), now);
    return Decision.replica(epoch(), xa.nodeId(), Optional.of(xr), Cause.FOLLOWING_MASTER,
        "replica of " + xa.nodeId() + " (epoch " + epoch() + ")"
        + (preemption.wantsMaster() ? "; asking it to hand the role back" : ""));
  }

  private Decision considerTakeover(
      String oldMaster, RedisHealth h, Map<String, MemberReport> alive, Map<String, MemberReport> reports,
      boolean catchUp, String why, long now) {
    preemption.clear();
    RedisInfo info = h.info().orElseThrow();
    if (paused()) {
      return Decision.waiting(epoch(), oldMaster, Cause.MAINTENANCE,
          "maintenance mode: not taking over although " + oldMaster + " failed: " + why);
    }
    if (now < takeoverBackoffUntil) {
      return Decision.waiting(epoch(), oldMaster, Cause.FENCE_BACKOFF,
          oldMaster + " failed (" + why + ") but could not be fenced last time; retrying shortly");
    }
    if (st().dataEpoch() < 0 || info.masterSyncInProgress()) {
      return Decision.waiting(epoch(), oldMaster, Cause.NO_COMPLETE_DATA,
          oldMaster + " failed (" + why + ") but my Redis holds no complete copy; not taking over");
    }
    Candidate mine = new Candidate(me, st().dataEpoch(), info.replOffset(), config.priority());
    Candidate best = CandidateRanking.best(mine, alive.values().stream()
        .map(MemberReport::status)
        .filter(a -> !a.nodeId().equals(oldMaster) && a.redisUp() && a.dataEpoch() >= 0 && a.state() != AgentState.FAULT)
        .map(a -> new Candidate(a.nodeId(), a.dataEpoch(), a.replOffset(), a.priority())));
    if (!best.nodeId().equals(me)) {
      return Decision.waiting(epoch(), oldMaster, Cause.BETTER_CANDIDATE,
          oldMaster + " failed (" + why + "); " + best.nodeId() + " is the better candidate");
    }
    Optional<String> blocker = guard.blocker(alive, oldMaster, info, this::probeOf);
    if (blocker.isPresent()) {
      return noted(Decision.waiting(epoch(), oldMaster, Cause.PEER_REDIS_IN_THE_WAY,
          oldMaster + " failed (" + why + ") but " + blocker.get() + ": not promoting myself"));
    }
    if (!record.problem().isEmpty()) {
      return Decision.waiting(epoch(), oldMaster, Cause.STATE_NOT_WRITABLE, oldMaster + " failed (" + why
          + ") but I cannot record a new epoch (" + record.problem() + "): not promoting myself");
    }
    long newEpoch = Math.max(epoch(), reports.values().stream().mapToLong(r -> r.status().epoch()).max().orElse(0)) + 1;
    // A fence would only wait out another timeout against a Redis this node's probes already found
    // unreachable: that is the fence's own outcome, known now.
    PeerRedisProbe old = probeOf(oldMaster);
    boolean knownUnreachable = old.unreachable(MasterRedisEvidence.NO_ANSWER_PROBES)
        && now - old.checkedAtMillis() <= config.health().intervalMs() + config.health().timeoutMs();
    return Decision.takeover(newEpoch, me, knownUnreachable ? Optional.empty() : Optional.of(redisOf(oldMaster)), catchUp,
        Cause.MASTER_FAILED, "taking over from " + oldMaster + ": " + why);
  }

  private Decision electFirstMaster(RedisHealth h, Map<String, MemberReport> alive, long now) {
    RedisInfo info = h.info().orElseThrow();
    boolean peerStillStarting = alive.values().stream().anyMatch(r -> !r.status().redisUp());
    if (peerStillStarting && now - startedAt < 2 * config.coordination().bootstrapWaitMs()) {
      return Decision.waiting(epoch(), "", Cause.NO_MASTER_YET_WAITING,
          "no master yet; waiting for every reachable peer's Redis to answer before choosing");
    }
    // For a group without history, keys stand in for the offset: the node holding data wins.
    Candidate mine = new Candidate(me, st().dataEpoch(), info.keys(), config.priority());
    Candidate best = CandidateRanking.best(mine, alive.values().stream()
        .map(MemberReport::status)
        .filter(a -> a.redisUp() && a.state() != AgentState.FAULT)
        .map(a -> new Candidate(a.nodeId(), a.dataEpoch(), a.keys(), a.priority())));
    if (!best.nodeId().equals(me)) {
      return Decision.waiting(epoch(), "", Cause.BETTER_CANDIDATE, "no master yet; " + best.nodeId() + " is the best candidate");
    }
    Optional<String> blocker = guard.blocker(alive, "", info, this::probeOf);
    if (blocker.isPresent()) {
      return noted(Decision.waiting(epoch(), "", Cause.PEER_REDIS_IN_THE_WAY,
          "no master yet, but " + blocker.get() + ": not promoting myself"));
    }
    if (!record.problem().isEmpty()) {
      return Decision.waiting(epoch(), "", Cause.STATE_NOT_WRITABLE,
          "no master yet, but I cannot record a new epoch (" + record.problem() + ")");
    }
    long newEpoch = epoch() + 1;
    for (MemberReport r : alive.values()) {
      newEpoch = Math.max(newEpoch, r.status().epoch() + 1);
    }
    return Decision.takeover(newEpoch, me, Optional.empty(), false, Cause.NO_MASTER_YET,
        "no master yet and I hold the best data (" + info.keys() + " keys, data epoch " + st().dataEpoch() + ")");
  }

  private Optional<HostPort> healthyMasterRedis(Map<String, MemberReport> alive) {
    return alive.values().stream()
        .map(MemberReport::status)
        .filter(MemberStatus::isHealthyMaster)
        .filter(a -> a.nodeId().equals(leader()))
        .map(a -> redisOf(a.nodeId()))
        .findFirst();
  }

  private boolean isParked(RedisInfo info) {
    HostPort upstream = new HostPort(info.masterHost(), info.masterPort());
    return upstream.equals(config.redis().announce()) || upstream.equals(config.redis().address());
  }

  private HostPort redisOf(String nodeId) {
    return nodeId.equals(me) ? config.redis().announce() : peerConfigs.get(nodeId).redis();
  }

  // What the backend adopted from the group.

  @Override
  public void leaderAdopted(String before, String after, long now) {
    if (me.equals(before) && !me.equals(after) && handoverTo.isEmpty()) {
      // Losing the role other than by a handover is a fault for the hold-down count.
      holdDown.noteFault(now);
    }
    if (me.equals(after)) {
      // Handed the role by a peer: the last probe may predate the promotion it made.
      tookOverAt = now;
      persistence.reset();
    }
    handoverTo = "";
    switchover.cancel();
  }

  @Override
  public void maintenanceAdopted() {
    applyMaintenance();
  }

  // Callbacks from the controller, through the coordinator.

  /**
   * Takes the leadership for the takeover's epoch before the controller promotes (DESIGN §4:
   * epochs are kept, so a restarted agent never forgets it was master).
   *
   * @return false if the backend could not take it (not recorded, or lost): the controller must
   *     not promote, and takeovers wait (one down time, and until the state can be recorded)
   */
  public boolean commitTakeover(Decision d, RedisHealth h, long now) {
    DurableState next = new DurableState(d.epoch(), me, d.epoch(), h.runId(), h.persisting(), st().maintenance());
    if (!backend.tryTakeLeadership(next)) {
      takeoverBackoffUntil = now + downTimeMs;
      backend.publish(status(lastHealth));
      return false;
    }
    tookOverAt = now;
    claim.keptAfterRestart();
    persistence.reset();
    preemption.clear();
    backend.publish(status(lastHealth));
    return true;
  }

  /**
   * The old master answered but could not be demoted: do not promote (two masters), and do not
   * hammer it either; try again after one down time.
   */
  public void takeoverAborted(long now) {
    takeoverBackoffUntil = now + downTimeMs;
  }

  public void handoverFinished(Decision d, boolean success, long now) {
    if (success && switchover.pending()) {
      // The operator chose the new master: do not take the role back by preemption at once.
      preemption.suppressUntil(now + config.coordination().flapWindowMs());
    }
    switchover.cancel();
    if (success) {
      String target = d.handoverTo().orElseThrow().nodeId();
      backend.leadershipHandedOver(epoch() + 1, target, st().withEpoch(epoch() + 1, target));
    } else {
      handoverBackoffUntil = now + 5 * config.failover().switchoverTimeoutMs();
    }
    handoverTo = "";
    backend.publish(status(lastHealth));
  }

  /**
   * An operator's pause or resume, taken by this node's agent: a new version of the group's
   * maintenance state, carried to every member and kept.
   *
   * @return whether it is durable (false: in effect in memory only, and the save is retried)
   */
  public boolean setPaused(boolean p, long wallMillis) {
    boolean durable = backend.setMaintenance(backend.maintenance().next(p, me, wallMillis));
    applyMaintenance();
    backend.publish(status(lastHealth));
    return durable;
  }

  private void applyMaintenance() {
    if (paused()) {
      preemption.clear();
    } else {
      preemption.suppressUntil(0);
    }
  }

  public boolean paused() {
    return backend.maintenance().paused();
  }

  public Maintenance maintenance() {
    return backend.maintenance();
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
    if (!me.equals(leader()) || state != AgentState.MASTER) {
      return Optional.of("this node (" + me + ") is not the master (" + state + "); the master of epoch " + epoch()
          + " is " + (leader().isEmpty() ? "nobody" : leader()) + ": send the switchover to its agent");
    }
    RedisInfo info = lastInfo.orElse(null);
    if (info == null) {
      return Optional.of("my Redis does not answer; nothing to hand over");
    }
    if (to.isPresent()) {
      String target = to.get();
      if (target.equals(me)) {
        return Optional.of(me + " is already the master (epoch " + epoch() + ")");
      }
      if (!peerConfigs.containsKey(target)) {
        return Optional.of("no node '" + target + "' in group " + config.group() + " (nodes: "
            + String.join(", ", new java.util.TreeSet<>(allNodeIds())) + ")");
      }
      MemberReport r = lastAlive.get(target);
      if (r == null) {
        return Optional.of(target + "'s agent is not heard (no advert within " + downTimeMs
            + " ms): it cannot take the role now");
      }
      // A replica of this epoch that is only some bytes behind is accepted: the request waits
      // (until it expires) for it to catch up. One that is not replicating at all is refused.
      if (!sync.linkedReplicaOfMine(r.status(), epoch())) {
        return Optional.of(target + " is not an in-sync replica: " + sync.whyNot(r.status(), info, epoch()));
      }
    } else if (lastAlive.values().stream().noneMatch(r -> sync.linkedReplicaOfMine(r.status(), epoch()))) {
      return Optional.of("no in-sync replica to hand over to");
    }
    switchover.accept(to, now);
    handoverBackoffUntil = 0;
    return Optional.empty();
  }

  /** Drops a pending switchover; false if there was none. */
  public boolean cancelSwitchover() {
    return switchover.cancel();
  }

  /** The pending operator switchover in one line, "" when none. */
  public String pendingSwitchover(long now) {
    return switchover.describe(now);
  }

  private java.util.Set<String> allNodeIds() {
    java.util.Set<String> ids = new java.util.HashSet<>(peerConfigs.keySet());
    ids.add(me);
    return ids;
  }

  /**
   * What this member publishes now: its state and epoch, its Redis as last probed, its data
   * claim, whether it asks for the role, and the handover it runs or is held for.
   */
  public MemberStatus status(RedisHealth h) {
    DurableState s = st();
    Optional<RedisInfo> info = h.up() ? h.info() : Optional.empty();
    return MemberStatus.starting(me, config.priority())
        .withEpoch(s.epoch(), s.epochMaster())
        .withState(state)
        .withRedis(h.up(), info.map(RedisInfo::runId).orElse(""), info.map(RedisInfo::role).orElse(""),
            info.map(RedisInfo::replId).orElse(""), info.map(RedisInfo::replOffset).orElse(0L),
            info.map(RedisInfo::masterLinkUp).orElse(false), info.map(RedisInfo::keys).orElse(0L))
        .withDataEpoch(s.dataEpoch())
        .withPersisting(h.up() && h.persisting())
        .withWantsMaster(preemption.wantsMaster())
        .withHandoverTo(handoverTo())
        .withHoldDown(holdDown())
        .withMaintenance(s.maintenance());
  }

  /**
   * A decision an operator should know about although nothing moved ("master a's agent silent
   * ..., its Redis healthy: no action"), "" when there is none.
   */
  public String warning() {
    return warning;
  }

  /** Why this member's state cannot be recorded now, "" when it can. */
  public String stateProblem() {
    return record.problem();
  }

  public boolean holdDown() {
    return holdDown.active();
  }

  public AgentState state() {
    return state;
  }

  public DurableState durable() {
    return st();
  }

  public boolean wantsMaster() {
    return preemption.wantsMaster();
  }

  /**
   * On the master: the node it is handing over to. On another node: the handover its endpoints
   * are prepared for (held, nothing in flight), which the master waits for before switching.
   */
  public String handoverTo() {
    return handoverTo.isEmpty() ? preparedFor : handoverTo;
  }

  public void setHandoverPrepared(String target) {
    preparedFor = target;
    backend.publish(status(lastHealth));
  }

  public String reason() {
    return reason;
  }

  /** The other configured members, in configuration order. */
  public List<PeerConfig> peers() {
    return config.peers();
  }
}
