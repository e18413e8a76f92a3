package dev.redisha.coordination.peer;

import dev.redisha.coordination.MemberView;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Coordinator;
import dev.redisha.coordination.Decision;
import dev.redisha.coordination.Maintenance;
import dev.redisha.coordination.MemberStatus;
import dev.redisha.coordination.Route;
import dev.redisha.coordination.StateStore;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.RedisHealth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer backend's {@link Coordinator}: adverts over authenticated UDP, the group's rules in
 * {@link dev.redisha.coordination.GroupPolicy} fed by {@link MasterElection}. Adverts carry the
 * status the policy publishes; they go out every {@code advert_interval_ms} from their own thread
 * (a long handover on the decision thread must not make this node look dead) and at once whenever
 * the node's state changes.
 */
public final class PeerCoordinator implements Coordinator {
  private static final Logger log = LoggerFactory.getLogger(PeerCoordinator.class);

  private final NodeConfig config;
  private final LongSupplier clock;
  private final MasterElection election;
  private final Runnable wakeup;
  /** Per peer: the wake-up due when its silence reaches the down time (see {@link #onAdvert}). */
  private final Map<String, java.util.concurrent.ScheduledFuture<?>> silenceWakes =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, PeerReport> reports = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sender;
  private volatile AdvertTransport transport;
  private volatile Advert draft;
  private volatile RedisHealth lastHealth;
  private final Supplier<Map<String, PeerRedisProbe>> peerRedis;
  private final Consumer<String> probePeerRedis;
  /** Planned-handover barriers the master waits on, completed as the peers' echoes arrive. */
  private final List<Barrier> barriers = new CopyOnWriteArrayList<>();

  private record Barrier(String target, CompletableFuture<Boolean> prepared) {}

  /**
   * @param wakeup called when an advert arrives, so the decision loop reacts without waiting for
   *     its next tick
   */
  public PeerCoordinator(NodeConfig config, StateStore store, LongSupplier clock, Runnable wakeup) {
    this(config, store, clock, wakeup, Map::of, id -> {});
  }

  /**
   * @param clock monotonic milliseconds (a wall-clock step must not make a peer look dead)
   * @param peerRedis this agent's own probes of the peers' Redis (see {@link
   *     dev.redisha.health.PeerRedisWatch})
   * @param probePeerRedis asks for a fresh probe of one peer's Redis (a FAULT advert arrived)
   */
  public PeerCoordinator(NodeConfig config, StateStore store, LongSupplier clock, Runnable wakeup,
      Supplier<Map<String, PeerRedisProbe>> peerRedis, Consumer<String> probePeerRedis) {
    this.config = config;
    this.peerRedis = peerRedis;
    this.probePeerRedis = probePeerRedis;
    this.clock = clock;
    this.wakeup = wakeup;
    this.election = new MasterElection(config, store, clock.getAsLong(), this::publish);
    this.lastHealth = RedisHealth.unknown(clock.getAsLong());
    this.draft = Advert.of(config.group(), election.policy().status(RedisHealth.unknown(clock.getAsLong())));
    this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "advert-sender");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void start() {
    rehearseTakeover();
    try {
      transport = AdvertTransport.open(config, this::onAdvert);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for adverts on " + config.coordination().listen() + ": " + e.getMessage(), e);
    }
    long interval = config.coordination().advertIntervalMs();
    sender.scheduleAtFixedRate(this::sendDraft, 0, interval, TimeUnit.MILLISECONDS);
  }

  private void rehearseTakeover() {
    try {
      TakeoverRehearsal.run(config).ifPresent(o -> log.info(
          "takeover decision rehearsed in memory in {} ms (nothing sent or written), so the first real one runs warm",
          o.nanos() / 1_000_000));
    } catch (RuntimeException e) {
      // A warm-up only: a takeover works without it, a little slower the first time.
      log.warn("takeover rehearsal failed (the first takeover will run cold): {}", e.toString());
    }
  }

  private void onAdvert(Advert a) {
    PeerReport before = reports.put(a.nodeId(), new PeerReport(a, clock.getAsLong()));
    boolean failing = a.state() == AgentState.FAULT || a.state() == AgentState.STOPPING;
    if (failing && (before == null || before.advert().state() != a.state())) {
      // Its agent says its Redis failed: the takeover waits for this node's own probe to agree.
      probePeerRedis.accept(a.nodeId());
    }
    releaseBarriers();
    wakeSilentAfterDownTime(a.nodeId());
    wakeup.run();
  }

  /**
   * The moment a peer's silence reaches the down time is itself a change no packet announces:
   * the decision loop is woken then, and that peer's Redis probed, instead of at its next tick.
   */
  private void wakeSilentAfterDownTime(String nodeId) {
    long down = config.coordination().advertIntervalMs() * config.coordination().downAfterAdverts();
    try {
      java.util.concurrent.ScheduledFuture<?> next = sender.schedule(() -> {
        probePeerRedis.accept(nodeId);
        wakeup.run();
      }, down + 1, TimeUnit.MILLISECONDS);
      java.util.concurrent.ScheduledFuture<?> before = silenceWakes.put(nodeId, next);
      if (before != null) {
        before.cancel(false);
      }
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // Halted: nothing to wake.
    }
  }

  private void sendDraft() {
    // Also on every tick: a peer that falls silent no longer holds a barrier up.
    releaseBarriers();
    AdvertTransport t = transport;
    if (t == null) {
      return;
    }
    try {
      t.send(draft);
    } catch (RuntimeException e) {
      log.warn("advert not sent: {}", e.toString());
    }
  }

  @Override
  public synchronized Decision decide(RedisHealth local) {
    lastHealth = local;
    return election.decide(local, Map.copyOf(reports), peerRedis.get(), clock.getAsLong());
  }

  /** The policy published a new status: the advert follows, sent at once if a peer acts on the change. */
  private void publish(MemberStatus status) {
    Advert before = draft;
    Advert next = Advert.of(config.group(), status);
    draft = next;
    if (before.state() != next.state()
        || before.epoch() != next.epoch()
        || !before.epochMaster().equals(next.epochMaster())
        || before.redisUp() != next.redisUp()
        || !before.redisRunId().equals(next.redisRunId())
        || !before.redisRole().equals(next.redisRole())
        || before.dataEpoch() != next.dataEpoch()
        || before.wantsMaster() != next.wantsMaster()
        || !before.handoverTo().equals(next.handoverTo())
        || !before.maintenance().equals(next.maintenance())) {
      sender.execute(this::sendDraft);
    }
  }

  @Override
  public synchronized boolean commitTakeover(Decision takeover) {
    return election.commitTakeover(takeover, lastHealth, clock.getAsLong());
  }

  @Override
  public synchronized void takeoverAborted(Decision takeover, String why) {
    election.takeoverAborted(clock.getAsLong());
  }

  @Override
  public synchronized void handoverFinished(Decision handover, boolean success, String detail) {
    election.handoverFinished(handover, success, clock.getAsLong());
  }

  @Override
  public synchronized boolean setPaused(boolean paused) {
    return election.setPaused(paused, System.currentTimeMillis());
  }

  @Override
  public synchronized Maintenance maintenance() {
    return election.maintenance();
  }

  @Override
  public synchronized String stateProblem() {
    return election.stateProblem();
  }

  @Override
  public synchronized boolean paused() {
    return election.paused();
  }

  @Override
  public synchronized Optional<String> requestSwitchover(Optional<String> toNode) {
    return election.requestSwitchover(toNode, clock.getAsLong());
  }

  @Override
  public synchronized Optional<String> scheduleSwitchover(String toNode, long dueMillis) {
    return election.scheduleSwitchover(toNode, dueMillis);
  }

  @Override
  public synchronized Optional<String> requestFailover(String toNode, boolean allowDataLoss) {
    return election.requestFailover(toNode, allowDataLoss, clock.getAsLong());
  }

  @Override
  public synchronized boolean cancelSwitchover() {
    return election.cancelSwitchover();
  }

  @Override
  public synchronized String pendingSwitchover() {
    return election.pendingSwitchover(clock.getAsLong());
  }

  @Override
  public AgentState state() {
    return draft.state();
  }

  @Override
  public long epoch() {
    return draft.epoch();
  }

  @Override
  public String epochMaster() {
    return draft.epochMaster();
  }

  @Override
  public boolean holdDown() {
    return draft.holdDown();
  }

  @Override
  public Optional<String> handoverInProgress() {
    PeerReport m = reports.get(draft.epochMaster());
    if (m == null || m.advert().state() != AgentState.HANDING_OVER || m.advert().handoverTo().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(m.advert().handoverTo());
  }

  @Override
  public boolean masterServing() {
    PeerReport m = reports.get(draft.epochMaster());
    return m != null && m.advert().state() == AgentState.MASTER;
  }

  @Override
  public synchronized void setHandoverPrepared(String target) {
    election.policy().setHandoverPrepared(target);
  }

  @Override
  public CompletableFuture<Boolean> peersPrepared(String target) {
    Barrier b = new Barrier(target, new CompletableFuture<>());
    barriers.add(b);
    releaseBarriers();
    return b.prepared();
  }

  private void releaseBarriers() {
    for (Barrier b : barriers) {
      if (b.prepared().isDone() || (peersPreparedFor(b.target()) && b.prepared().complete(true))) {
        barriers.remove(b);
      }
    }
  }

  /** Whether every peer heard within the down time says its endpoints are ready for {@code target}. */
  private boolean peersPreparedFor(String target) {
    long now = clock.getAsLong();
    long down = config.coordination().advertIntervalMs() * config.coordination().downAfterAdverts();
    return reports.values().stream()
        .filter(r -> now - r.receivedAtMillis() <= down)
        .allMatch(r -> target.equals(r.advert().handoverTo()));
  }

  @Override
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    AdvertTransport t = transport;
    if (t != null) {
      t.problems().forEach(p -> out.add(p.message()));
    }
    String w = election.warning();
    if (!w.isEmpty()) {
      out.add(w);
    }
    return out;
  }

  /** Peer-link problems found by the transport (keys differ, a duplicate node id, clock skew). */
  public List<PeerLinkProblem> linkProblems() {
    AdvertTransport t = transport;
    return t == null ? List.of() : t.problems();
  }

  /** How many times each kind of peer-link problem began, for /metrics. */
  public Map<PeerLinkProblem.Kind, Long> linkProblemOnsets() {
    AdvertTransport t = transport;
    return t == null ? Map.of() : t.problemOnsets();
  }

  public Map<String, Long> droppedPackets() {
    AdvertTransport t = transport;
    Map<String, Long> out = new java.util.TreeMap<>();
    if (t != null) {
      t.droppedCounts().forEach((reason, n) -> out.put(reason.name().toLowerCase(), n));
    }
    return out;
  }

  public long acceptedPackets() {
    AdvertTransport t = transport;
    return t == null ? 0 : t.acceptedCount();
  }

  @Override
  public List<MemberView> peers() {
    long now = clock.getAsLong();
    List<MemberView> out = new ArrayList<>();
    config.peers().forEach(p -> {
      PeerReport r = reports.get(p.nodeId());
      if (r == null) {
        out.add(new MemberView(p.nodeId(), AgentState.STARTING, 0, 0, -1, false, "", 0, false));
      } else {
        Advert a = r.advert();
        out.add(new MemberView(a.nodeId(), a.state(), a.epoch(), a.priority(), now - r.receivedAtMillis(),
            a.redisUp(), a.redisRole(), a.replOffset(), a.persisting()));
      }
    });
    return out;
  }

  @Override
  public Route route(boolean localServes) {
    String master = draft.epochMaster();
    List<HostPort> others = new ArrayList<>();
    Optional<Decision.Target> serving = Optional.empty();
    if (master.equals(config.nodeId())) {
      serving = localServes ? Optional.of(new Decision.Target(master, config.redis().announce())) : Optional.empty();
    } else {
      others.add(config.redis().announce());
    }
    for (PeerConfig p : config.peers()) {
      PeerReport r = reports.get(p.nodeId());
      if (r != null && p.nodeId().equals(master) && r.advert().status().servesAsMaster()) {
        serving = Optional.of(new Decision.Target(p.nodeId(), p.redis()));
      } else {
        others.add(p.redis());
      }
    }
    return new Route(draft.epoch(), serving, others);
  }

  @Override
  public void bindMetrics(MeterRegistry metrics) {
    // Counters from the start at 0 for every reason and kind, so rate() and alerts see the first one.
    FunctionCounter.builder("redisha_adverts_accepted", this, PeerCoordinator::acceptedPackets)
        .description("Adverts from peers that passed the HMAC and replay checks").register(metrics);
    for (String reason : droppedPackets().keySet()) {
      FunctionCounter.builder("redisha_adverts_dropped", this, c -> c.droppedPackets().getOrDefault(reason, 0L))
          .description("UDP packets on the advert port that were dropped, by reason").tag("reason", reason)
          .register(metrics);
    }
    for (PeerLinkProblem.Kind kind : PeerLinkProblem.Kind.values()) {
      String k = kind.name().toLowerCase();
      Gauge.builder("redisha_peer_link_problem", () -> linkProblems().stream().filter(p -> p.kind() == kind).count())
          .description("Peers with this link problem now (keys differ, duplicate node id, clock skew, not heard by"
              + " the peer)").tag("kind", k).register(metrics);
      FunctionCounter.builder("redisha_peer_link_problem_onsets", this, c -> c.linkProblemOnsets().getOrDefault(kind, 0L))
          .description("Times a peer-link problem of this kind began").tag("kind", k).register(metrics);
    }
  }

  @Override
  public void halt() {
    sender.shutdownNow();
    AdvertTransport t = transport;
    transport = null;
    if (t != null) {
      t.close();
    }
  }

  @Override
  public void close() {
    draft = Advert.of(config.group(),
        draft.status().withState(AgentState.STOPPING).withWantsMaster(false).withHandoverTo(""));
    sendDraft();
    halt();
  }
}
