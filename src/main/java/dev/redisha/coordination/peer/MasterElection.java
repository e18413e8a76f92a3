package dev.redisha.coordination.peer;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Decision;
import dev.redisha.coordination.DurableState;
import dev.redisha.coordination.StateStore;
import dev.redisha.health.RedisHealth;
import dev.redisha.health.UpstreamCheck;
import dev.redisha.redis.RedisInfo;
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
 *   <li>A replica follows a healthy master. When the master fails (its agent says so, its Redis
 *       refuses connections or restarted, or its agent is silent for the down time), the best
 *       candidate (complete data, then offset, then priority, then node id) takes over with the
 *       next epoch, fencing the old master first.
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
  private boolean paused;
  private Optional<String> switchoverTo = null;
  private boolean restartedSinceData;
  private long inSyncSince = -1;
  private boolean wantsMaster;
  private long wantsMasterSince = -1;
  private String handoverTo = "";
  private long handoverBackoffUntil;
  private long replicaPersistsSince = -1;
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
  }

  public Decision decide(RedisHealth h, Map<String, PeerReport> reports, long now) {
    Map<String, PeerReport> alive = new HashMap<>();
    reports.forEach(
        (id, r) -> {
          if (peerConfigs.containsKey(id) && now - r.receivedAtMillis() <= downTimeMs) {
            alive.put(id, r);
          }
        });
    adoptNewerEpoch(alive, now);
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
      return Decision.fault(st.epoch(), st.epochMaster(), healthyMasterRedis(alive), why);
    }
    String master = st.epochMaster();
    if (me.equals(master)) {
      return asMaster(h, alive, now);
    }
    if (bootstrapping && !(alive.containsKey(master) && isHealthyMaster(alive.get(master)))) {
      return Decision.waiting(st.epoch(), master, "bootstrap: listening for peers before acting");
    }
    if (master.isEmpty()) {
      return electFirstMaster(h, alive, now);
    }
    PeerReport x = alive.get(master);
    if (x != null && claimsMaster(x)) {
      return asReplicaOf(x, h, alive, reports, now);
    }
    if (x != null && (x.advert().state() == AgentState.REPLICA || x.advert().state() == AgentState.STARTING)) {
      // Transitional: it has just been handed the role, or its agent restarted. Its adverts will
      // say MASTER or FAULT within a moment; silence is handled below.
      return Decision.waiting(st.epoch(), master, master + " is master of epoch " + st.epoch() + " but reports " + x.advert().state() + "; waiting");
    }
    String why;
    if (x == null) {
      PeerReport last = reports.get(master);
      long silentFor = now - (last == null ? startedAt : last.receivedAtMillis());
      long skew = (256 - config.priority()) * config.coordination().advertIntervalMs() / 256;
      if (silentFor < downTimeMs + skew) {
        return Decision.waiting(st.epoch(), master, "master " + master + " silent for " + silentFor + " ms; waiting for the down time");
      }
      why = "its agent has been silent for " + silentFor + " ms";
      return considerTakeover(master, h, alive, reports, true, why, now);
    }
    why = "its agent reports " + x.advert().state() + (x.advert().redisUp() ? "" : " (its Redis is down)");
    // Its Redis may still take writes (a stopping agent, a restarted server): catch up first.
    return considerTakeover(master, h, alive, reports, x.advert().redisUp(), why, now);
  }

  private Decision asMaster(RedisHealth h, Map<String, PeerReport> alive, long now) {
    RedisInfo info = h.info().orElseThrow();
    if (st.dataEpoch() < 0) {
      noteFault(now);
      return Decision.fault(st.epoch(), me, healthyMasterRedis(alive),
          "my Redis restarted without its data (it was not persisting); it must not serve as master");
    }
    // A probe that finished within one probe timeout of our own promotion may predate it.
    boolean probeAfterTakeover = h.takenAtMillis() > tookOverAt + config.health().timeoutMs();
    if (!info.isMaster() && !isParked(info) && probeAfterTakeover) {
      // Someone demoted my Redis (a peer fenced me while my agent was away): promoting it back
      // would make two masters. The peer's newer epoch will arrive with its adverts.
      return Decision.waiting(st.epoch(), me, "my Redis replicates from " + info.masterHost() + ":" + info.masterPort()
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
        return Decision.fault(st.epoch(), me, Optional.empty(),
            "my Redis restarted from disk; " + n.nodeId() + " holds newer data (epoch " + n.dataEpoch()
                + ", offset " + n.replOffset() + " against my " + info.replOffset() + ") than a restart from disk brings back");
      }
      // A peer with keys but no claim yet may be a replica whose claim is one advert away.
      boolean peerMayClaim = alive.values().stream().anyMatch(r -> r.advert().redisUp()
          && r.advert().state() != AgentState.FAULT && r.advert().dataEpoch() < 0 && r.advert().keys() > 0);
      if (peerMayClaim && now - restartSeenAt < 2 * downTimeMs) {
        return Decision.waiting(st.epoch(), me,
            "my Redis restarted from disk; a peer holds keys but no claim yet; waiting before keeping my data");
      }
      // Cold start of the whole group: a peer that has not answered yet (or whose Redis is still
      // starting) may hold newer data than this file; keeping this one now would make that peer
      // resync from the older copy. Stay parked and advertise STARTING meanwhile.
      boolean peersUnknown = bootstrapping || alive.values().stream().anyMatch(r -> !r.advert().redisUp());
      if (peersUnknown && now - startedAt < 2 * config.coordination().bootstrapWaitMs()) {
        return Decision.waiting(st.epoch(), me,
            "my Redis restarted from disk; waiting for every reachable peer's Redis to answer before keeping its data");
      }
      // No peer holds data: what this server brought back from disk is the last copy.
      log.info("[{}] my Redis restarted from disk and no peer holds data: keeping it as the group's data", me);
      restartedSinceData = false;
    }
    boolean replicaPersists = alive.values().stream().anyMatch(r -> inSyncWithMe(r, info) && r.advert().persisting())
        && info.replicas().stream().anyMatch(RedisInfo.ConnectedReplica::online);
    // Off only after the replica has persisted in sync for a while, on at once: a replica that
    // flaps must not switch the master's persistence back and forth.
    if (!replicaPersists) {
      replicaPersistsSince = -1;
    } else if (replicaPersistsSince < 0) {
      replicaPersistsSince = now;
    }
    boolean persist = replicaPersistsSince < 0 || now - replicaPersistsSince < PERSIST_OFF_AFTER_MS;
    if (!paused && now >= handoverBackoffUntil) {
      Optional<PeerReport> target = handoverTarget(alive, info);
      if (target.isPresent()) {
        handoverTo = target.get().advert().nodeId();
        return Decision.handOver(st.epoch(), me,
            new Decision.Target(handoverTo, redisOf(handoverTo)),
            switchoverTo != null
                ? "operator switchover to " + handoverTo
                : handoverTo + " has higher priority and is in sync: handing the master role back");
      }
    }
    handoverTo = "";
    return Decision.master(st.epoch(), me, persist,
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
        && a.state() == AgentState.REPLICA
        && a.epoch() == st.epoch()
        && me.equals(a.epochMaster())
        && a.redisUp()
        && a.masterLinkUp()
        && a.dataEpoch() == st.epoch()
        && mine.replOffset() - a.replOffset() <= config.failover().maxCatchUpLagBytes();
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
        st = new DurableState(e, me, e, info.runId(), h.persisting());
        store.save(st);
        tookOverAt = now;
        restartedSinceData = false;
        clearPreemption();
        return Decision.master(e, me, true, "took over from " + xa.nodeId() + " by switchover; master of epoch " + e);
      }
      if (wantsMaster && now - wantsMasterSince < config.failover().switchoverTimeoutMs() + downTimeMs) {
        return Decision.waiting(st.epoch(), xa.nodeId(), "my Redis was promoted by a switchover; waiting for " + xa.nodeId() + " to confirm");
      }
    }
    Optional<UpstreamCheck> up = h.upstream().filter(u -> u.target().equals(xr));
    if (up.isPresent()) {
      UpstreamCheck u = up.get();
      // Only definite answers count: a refused connection (nothing listens) or another run id
      // (restarted, so empty). A timeout may be the network; the master's agent judges that.
      if (!u.reachable() && u.reason().contains("refused")) {
        return considerTakeover(xa.nodeId(), h, alive, reports, false, "its Redis refuses connections", now);
      }
      if (u.reachable() && !u.runId().isEmpty() && !u.runId().equals(xa.redisRunId())) {
        return considerTakeover(xa.nodeId(), h, alive, reports, false,
            "its Redis restarted (run id " + abbrev(xa.redisRunId()) + " -> " + abbrev(u.runId()) + ")", now);
      }
    }
    updatePreemption(xa, info, now);
    return Decision.replica(st.epoch(), xa.nodeId(), Optional.of(xr), "replica of " + xa.nodeId() + " (epoch " + st.epoch() + ")"
        + (wantsMaster ? "; asking it to hand the role back" : ""));
  }

  private Decision considerTakeover(
      String oldMaster, RedisHealth h, Map<String, PeerReport> alive, Map<String, PeerReport> reports,
      boolean catchUp, String why, long now) {
    clearPreemption();
    RedisInfo info = h.info().orElseThrow();
    if (paused) {
      return Decision.waiting(st.epoch(), oldMaster, "maintenance mode: not taking over although " + oldMaster + " failed: " + why);
    }
    if (now < takeoverBackoffUntil) {
      return Decision.waiting(st.epoch(), oldMaster, oldMaster + " failed (" + why + ") but could not be fenced last time; retrying shortly");
    }
    if (st.dataEpoch() < 0 || info.masterSyncInProgress()) {
      return Decision.waiting(st.epoch(), oldMaster,
          oldMaster + " failed (" + why + ") but my Redis holds no complete copy; not taking over");
    }
    Candidate mine = new Candidate(me, st.dataEpoch(), info.replOffset(), config.priority());
    Candidate best = alive.values().stream()
        .map(PeerReport::advert)
        .filter(a -> !a.nodeId().equals(oldMaster) && a.redisUp() && a.dataEpoch() >= 0 && a.state() != AgentState.FAULT)
        .map(a -> new Candidate(a.nodeId(), a.dataEpoch(), a.replOffset(), a.priority()))
        .reduce(mine, (a, b) -> BETTER.compare(a, b) >= 0 ? a : b);
    if (!best.nodeId().equals(me)) {
      return Decision.waiting(st.epoch(), oldMaster, oldMaster + " failed (" + why + "); " + best.nodeId() + " is the better candidate");
    }
    long newEpoch = Math.max(st.epoch(), reports.values().stream().mapToLong(r -> r.advert().epoch()).max().orElse(0)) + 1;
    return Decision.takeover(newEpoch, me, Optional.of(redisOf(oldMaster)), catchUp,
        "taking over from " + oldMaster + ": " + why);
  }

  private Decision electFirstMaster(RedisHealth h, Map<String, PeerReport> alive, long now) {
    RedisInfo info = h.info().orElseThrow();
    boolean peerStillStarting = alive.values().stream().anyMatch(r -> !r.advert().redisUp());
    if (peerStillStarting && now - startedAt < 2 * config.coordination().bootstrapWaitMs()) {
      return Decision.waiting(st.epoch(), "", "no master yet; waiting for every reachable peer's Redis to answer before choosing");
    }
    // For a group without history, keys stand in for the offset: the node holding data wins.
    Candidate mine = new Candidate(me, st.dataEpoch(), info.keys(), config.priority());
    Candidate best = alive.values().stream()
        .map(PeerReport::advert)
        .filter(a -> a.redisUp() && a.state() != AgentState.FAULT)
        .map(a -> new Candidate(a.nodeId(), a.dataEpoch(), a.keys(), a.priority()))
        .reduce(mine, (a, b) -> BETTER.compare(a, b) >= 0 ? a : b);
    if (!best.nodeId().equals(me)) {
      return Decision.waiting(st.epoch(), "", "no master yet; " + best.nodeId() + " is the best candidate");
    }
    long newEpoch = st.epoch() + 1;
    for (PeerReport r : alive.values()) {
      newEpoch = Math.max(newEpoch, r.advert().epoch() + 1);
    }
    return Decision.takeover(newEpoch, me, Optional.empty(), false,
        "no master yet and I hold the best data (" + info.keys() + " keys, data epoch " + st.dataEpoch() + ")");
  }

  private void updatePreemption(Advert master, RedisInfo info, long now) {
    boolean eligible = config.coordination().preempt()
        && !paused
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

  private void adoptNewerEpoch(Map<String, PeerReport> alive, long now) {
    for (PeerReport r : alive.values()) {
      Advert a = r.advert();
      if (a.epochMaster().isEmpty()) {
        continue;
      }
      boolean newer = a.epoch() > st.epoch();
      // Two masters of one epoch (both took over at once): the higher priority, then the lower id, wins.
      boolean tieLost = a.epoch() == st.epoch()
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
        st = st.withEpoch(a.epoch(), a.epochMaster());
        store.save(st);
        if (me.equals(a.epochMaster())) {
          // Handed the role by a peer: the last probe may predate the promotion it made.
          tookOverAt = now;
        }
        handoverTo = "";
        switchoverTo = null;
      }
    }
  }

  private void noteLineage(Map<String, PeerReport> alive) {
    PeerReport m = alive.get(st.epochMaster());
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
      st = next;
      store.save(st);
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

  public void commitTakeover(Decision d, RedisHealth h, long now) {
    tookOverAt = now;
    st = new DurableState(d.epoch(), me, d.epoch(), h.runId(), h.persisting());
    store.save(st);
    restartedSinceData = false;
    clearPreemption();
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
      st = st.withEpoch(st.epoch() + 1, target);
      store.save(st);
    } else {
      handoverBackoffUntil = now + 5 * config.failover().switchoverTimeoutMs();
    }
    handoverTo = "";
  }

  public void setPaused(boolean p) {
    paused = p;
    if (!p) {
      suppressPreemptUntil = 0;
    }
    if (p) {
      clearPreemption();
    }
  }

  public boolean paused() {
    return paused;
  }

  public void requestSwitchover(Optional<String> to) {
    switchoverTo = to;
    handoverBackoffUntil = 0;
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
