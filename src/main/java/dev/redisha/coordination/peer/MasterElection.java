package dev.redisha.coordination.peer;

import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Decision;
import dev.redisha.coordination.DurableState;
import dev.redisha.coordination.GroupBackend;
import dev.redisha.coordination.GroupPolicy;
import dev.redisha.coordination.Maintenance;
import dev.redisha.coordination.MemberReport;
import dev.redisha.coordination.MemberStatus;
import dev.redisha.coordination.StateRecord;
import dev.redisha.coordination.StateStore;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.RedisHealth;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer backend's election: the {@link GroupBackend} primitives over authenticated adverts —
 * liveness (a configured peer heard within the down time) and epoch adoption (the highest epoch
 * any authentic advert carries; a tie between two masters of one epoch settled by priority, then
 * id) — with the leader, its epoch and the pause flag kept in this node's state file. Every rule
 * of the group is {@link GroupPolicy}'s; this class only feeds it the adverts. No I/O except the
 * state store, so every rule can be tested with a fake clock.
 */
public final class MasterElection implements GroupBackend {
  private static final Logger log = LoggerFactory.getLogger(MasterElection.class);
  private final String me;
  private final int priority;
  private final Set<String> configured;
  private final long downTimeMs;
  private final StateRecord record;
  private final GroupPolicy policy;
  private final Consumer<MemberStatus> publisher;
  /** The adverts of the current decision, as members. */
  private Map<String, MemberReport> members = Map.of();

  /** Without a publisher (tests of the rules: nothing is sent). */
  public MasterElection(NodeConfig config, StateStore store, long now) {
    this(config, store, now, status -> {});
  }

  /** @param publisher takes this node's status after every change (the advert sender) */
  public MasterElection(NodeConfig config, StateStore store, long now, Consumer<MemberStatus> publisher) {
    this.me = config.nodeId();
    this.priority = config.priority();
    this.configured = Set.copyOf(config.peers().stream().map(PeerConfig::nodeId).toList());
    this.downTimeMs = config.coordination().advertIntervalMs() * config.coordination().downAfterAdverts();
    this.record = new StateRecord(me, store);
    this.publisher = publisher;
    this.policy = new GroupPolicy(config, this, record, now);
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
    Map<String, MemberReport> heard = new HashMap<>();
    reports.forEach((id, r) -> heard.put(id, new MemberReport(r.advert().status(), r.receivedAtMillis())));
    this.members = Map.copyOf(heard);
    return policy.decide(h, probes, now);
  }

  /** The group policy this election feeds: operator requests and controller callbacks go to it. */
  public GroupPolicy policy() {
    return policy;
  }

  // GroupBackend: the primitives over adverts.

  @Override
  public Map<String, MemberReport> members() {
    return members;
  }

  @Override
  public Map<String, MemberReport> live(long now) {
    Map<String, MemberReport> alive = new HashMap<>();
    members.forEach((id, r) -> {
      if (configured.contains(id) && now - r.heardAtMillis() <= downTimeMs) {
        alive.put(id, r);
      }
    });
    return alive;
  }

  /**
   * A newer epoch is adopted from any authentic advert, however late it arrived: epochs only grow,
   * and a node that missed its peer's promotion (its adverts delayed past the down time on a
   * starved host) must not elect itself into the same epoch. A tie is settled among live peers.
   * A newer maintenance state is adopted from live peers.
   */
  @Override
  public void adoptNewer(Map<String, MemberReport> alive, long now, Changes changes) {
    for (MemberReport r : members.values()) {
      MemberStatus a = r.status();
      DurableState st = record.state();
      if (a.epochMaster().isEmpty() || !configured.contains(a.nodeId())) {
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
                  && (a.priority() > priority || (a.priority() == priority && a.nodeId().compareTo(me) < 0))));
      if (newer || tieLost) {
        String before = st.epochMaster();
        // Stepping down must not wait for the disk; the save is retried until it lands.
        record.remember(st.withEpoch(a.epoch(), a.epochMaster()));
        changes.leaderAdopted(before, a.epochMaster(), now);
      }
    }
    for (MemberReport r : alive.values()) {
      Maintenance m = r.status().maintenance();
      if (m.newerThan(record.state().maintenance())) {
        log.info("[{}] maintenance mode {} by {} (version {}), as {} reports", me, m.paused() ? "on" : "off", m.by(),
            m.version(), r.status().nodeId());
        record.remember(record.state().withMaintenance(m));
        changes.maintenanceAdopted();
      }
    }
  }

  @Override
  public String leader() {
    return record.state().epochMaster();
  }

  @Override
  public long epoch() {
    return record.state().epoch();
  }

  /** Without a quorum, the leadership of a new epoch is this node's once the epoch is on disk. */
  @Override
  public boolean tryTakeLeadership(DurableState next) {
    return record.save(next);
  }

  @Override
  public void leadershipHandedOver(long epoch, String leader, DurableState next) {
    record.remember(next);
  }

  @Override
  public Maintenance maintenance() {
    return record.state().maintenance();
  }

  @Override
  public boolean setMaintenance(Maintenance m) {
    record.remember(record.state().withMaintenance(m));
    return !record.unsaved();
  }

  @Override
  public void publish(MemberStatus mine) {
    publisher.accept(mine);
  }

  // The policy's answers, as the peer coordinator and the rule tests ask for them.

  public boolean commitTakeover(Decision d, RedisHealth h, long now) {
    return policy.commitTakeover(d, h, now);
  }

  public void takeoverAborted(long now) {
    policy.takeoverAborted(now);
  }

  public void handoverFinished(Decision d, boolean success, long now) {
    policy.handoverFinished(d, success, now);
  }

  public boolean setPaused(boolean p, long wallMillis) {
    return policy.setPaused(p, wallMillis);
  }

  public boolean paused() {
    return policy.paused();
  }

  public Optional<String> requestSwitchover(Optional<String> to, long now) {
    return policy.requestSwitchover(to, now);
  }

  public boolean cancelSwitchover() {
    return policy.cancelSwitchover();
  }

  public String pendingSwitchover(long now) {
    return policy.pendingSwitchover(now);
  }

  public String warning() {
    return policy.warning();
  }

  public String stateProblem() {
    return policy.stateProblem();
  }

  public boolean holdDown() {
    return policy.holdDown();
  }

  public AgentState state() {
    return policy.state();
  }

  public DurableState durable() {
    return policy.durable();
  }

  public boolean wantsMaster() {
    return policy.wantsMaster();
  }

  public String handoverTo() {
    return policy.handoverTo();
  }
}
