package dev.redisha.agent;

import dev.redisha.api.ApiServer;
import dev.redisha.api.NodeStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.config.HostPort;
import dev.redisha.control.Controller;
import dev.redisha.control.EndpointSteering;
import dev.redisha.coordination.AgentState;
import dev.redisha.endpoint.Endpoints;
import dev.redisha.endpoint.MasterView;
import dev.redisha.endpoint.RedisNodeView;
import dev.redisha.config.PeerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import dev.redisha.control.ManagedRedis;
import dev.redisha.coordination.Decision;
import dev.redisha.coordination.FileStateStore;
import dev.redisha.coordination.Coordinator;
import dev.redisha.coordination.MemberView;
import dev.redisha.coordination.Route;
import dev.redisha.coordination.backends.CoordinatorFactory;
import dev.redisha.event.Event;
import dev.redisha.event.EventLog;
import dev.redisha.event.EventType;
import dev.redisha.event.HookRunner;
import dev.redisha.event.HookType;
import dev.redisha.health.RedisHealth;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.PeerRedisWatch;
import dev.redisha.health.RedisHealthMonitor;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent: health probes in, decisions on one thread, the controller acting on Redis, the
 * status published for the API. Patroni-style, every change of decision leaves a log line that
 * says why.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Object WAKEUP = new Object();

  private final NodeConfig config;
  /** Monotonic: every timer and staleness check; a wall-clock step must not make a peer look dead. */
  private final LongSupplier clock = () -> System.nanoTime() / 1_000_000;
  private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final EventLog events;
  private final HookRunner hooks;
  private final Optional<ManagedRedis> managed;
  private final Coordinator coordinator;
  private final RedisHealthMonitor health;
  private final PeerRedisWatch peerRedis;
  private final Controller controller;
  private final Endpoints endpoints;
  private final EndpointViews endpointViews;
  private final Thread loop;
  private volatile boolean running = true;
  private volatile RedisHealth latest;
  private volatile NodeStatus status;
  private volatile Decision lastDecision;
  private long preparedAtEpoch = -1;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private ApiServer api;
  private dev.redisha.api.AgentMetrics agentMetrics;

  public Agent(NodeConfig config) {
    this.config = config;
    try {
      Files.createDirectories(config.stateDir(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      this.events = EventLog.openInStateDir(config.stateDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the state directory " + config.stateDir(), e);
    }
    this.hooks = new HookRunner(config.hooks(), events::append);
    RedisConnector connector = RedisConnector.of(config.redis());
    this.peerRedis = new PeerRedisWatch(connector, config.peers(), config.health(), () -> inbox.offer(WAKEUP), clock);
    this.coordinator = CoordinatorFactory.open(config, new FileStateStore(config.stateDir()), clock,
        () -> inbox.offer(WAKEUP), peerRedis::latest, peerRedis::requestProbe);
    this.managed = config.redis().mode() == RedisMode.MANAGED
        ? Optional.of(new ManagedRedis(config, events::append, coordinator::epoch)) : Optional.empty();
    this.health = new RedisHealthMonitor(connector, config.redis().address(), config.health(), inbox::offer, clock);
    try {
      this.endpoints = EndpointFactory.create(config, this::endpointEvent, this::replOffsets);
    } catch (RuntimeException e) {
      events.close();
      throw e;
    }
    this.endpointViews = new EndpointViews(endpoints, clock);
    this.controller = new Controller(config, connector, coordinator, managed, events::append,
        (hook, epoch) -> hooks.fire(hook, config.group(), config.nodeId(), epoch), new Steering(), clock);
    this.latest = RedisHealth.unknown(clock.getAsLong());
    this.loop = new Thread(this::run, "decision-loop-" + config.nodeId());
    this.status = buildStatus();
  }

  public Agent start() {
    events.append(new Event(Instant.now(), config.nodeId(), EventType.START,
        "agent started (" + config.redis().mode().toString().toLowerCase() + " mode, priority " + config.priority() + ")",
        coordinator.epoch(), Map.of()));
    // Before the first probe is acted on: a redis-server left by a crashed agent is this node's
    // Redis and may be the group's master; the probes must see it as ours from the start.
    managed.ifPresent(ManagedRedis::adoptLeftover);
    try {
      coordinator.start();
    } catch (UncheckedIOException e) {
      close();
      throw ListenFailure.of("the advert socket", "coordination.listen", config.coordination().listen(), e);
    }
    peerRedis.start();
    health.start();
    loop.start();
    registerMetrics();
    try {
      api = ApiServer.start(config.api().listen(), new ApiServer.Sources(this::status, events::recent,
          dev.redisha.api.TransitionHistory.reader(events.file()), agentMetrics::scrape, new AgentOperations(coordinator, events::append, config.nodeId())),
          ApiServer.Settings.forConfig(config));
    } catch (IOException e) {
      close();
      throw ListenFailure.of("the HTTP API", "api.listen", config.api().listen(), e);
    }
    return this;
  }

  /** The bound HTTP API port (differs from the configured one when that was 0). */
  public int apiPort() {
    return api == null ? -1 : api.port();
  }

  private void registerMetrics() {
    agentMetrics = dev.redisha.api.AgentMetrics.bind(metrics, config,
        new dev.redisha.api.AgentMetrics.Sources(this::status, () -> latest, endpoints.all()));
    events.subscribe(agentMetrics::observe);
    health.onProbe(agentMetrics::recordProbe);
    coordinator.bindMetrics(metrics);
  }

  private void run() {
    // The loop runs on evidence, not on a tick: every local probe result, every advert, every
    // change in a peer's Redis probe and a peer's silence reaching the down time (the coordinator
    // schedules that wake-up) each put an item in the inbox. The timeout is only a backstop for
    // the rules that run on time alone (hold-down, preempt delay, bootstrap wait): it restarts on
    // every item, so while probes and adverts arrive it never fires, and when they stop those
    // rules are still looked at within one interval.
    long backstop = Math.max(5, Math.min(config.health().intervalMs(), config.coordination().advertIntervalMs()));
    while (running) {
      try {
        Object first = inbox.poll(backstop, TimeUnit.MILLISECONDS);
        long woke = System.nanoTime();
        absorb(first);
        for (Object next = inbox.poll(); next != null; next = inbox.poll()) {
          absorb(next);
        }
        if (!running) {
          return;
        }
        Decision d = coordinator.decide(latest);
        Decision previous = lastDecision;
        // No log line here: the controller records every change of decision as an event, which
        // the event log also writes to the application log.
        lastDecision = d;
        controller.apply(d, latest, new Controller.LoopTimes(woke, System.nanoTime()));
        if (previous == null || previous.action() != d.action() || previous.epoch() != d.epoch()) {
          // The controller may just have promoted or demoted Redis: look again at once.
          health.requestProbe();
        }
        // On MASTER the controller has just promoted (or found) a master Redis; the probe
        // snapshot may not show it yet, and the VIP must not flap on a stale snapshot.
        endpoints.publish(masterView(d.action() == Decision.Action.MASTER));
        followPeerHandover();
        status = buildStatus();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // One bad step must not end the agent; the loop retries with fresh state.
        log.error("[{}] decision loop error", config.nodeId(), e);
      }
    }
  }

  private void absorb(Object item) {
    if (item instanceof RedisHealth h) {
      // In managed mode only the server this agent runs counts, not whatever answers on the port.
      latest = managed.map(m -> m.ownServerOnly(h)).orElse(h);
    } else if (item instanceof EndpointsPrepared p && endpoints.preparedFor(p.target())) {
      coordinator.setHandoverPrepared(p.target());
    }
  }

  private NodeStatus buildStatus() {
    RedisHealth h = latest;
    Optional<RedisInfo> info = h.up() ? h.info() : Optional.empty();
    long offset = info.map(RedisInfo::replOffset).orElse(0L);
    long lag = 0;
    if (info.isPresent() && !info.get().isMaster()) {
      long masterOffset = coordinator.peers().stream()
          .filter(p -> p.nodeId().equals(coordinator.epochMaster()))
          .mapToLong(MemberView::replOffset).findFirst().orElse(offset);
      lag = Math.max(0, masterOffset - offset);
    }
    Decision d = lastDecision;
    return new NodeStatus(
        config.group(), config.nodeId(), coordinator.state(), config.priority(), coordinator.epoch(),
        coordinator.epochMaster(), config.redis().announce().toString(), h.up(),
        info.map(RedisInfo::role).orElse(""), offset, lag, h.up() && h.persisting(),
        info.map(RedisInfo::keys).orElse(0L), coordinator.holdDown(), coordinator.paused(),
        d == null ? "starting" : d.reason(), coordinator.peers(), coordinator.maintenance().by(),
        coordinator.maintenance().atMillis(), coordinator.stateProblem(), coordinator.warnings(),
        coordinator.pendingSwitchover(), endpointViews.latest(), coordinator.maintenance().describeSchedule(),
        coordinator.maintenance().lastScheduleOutcome());
  }

  /** The group's master as endpoints should see it now: the coordinator's route, with each node's Redis. */
  private MasterView masterView(boolean localIsMaster) {
    Route route = coordinator.route(localIsMaster);
    RedisHealth own = latest;
    List<RedisNodeView> nodes = new ArrayList<>(List.of(new RedisNodeView(config.nodeId(), config.redis().announce(),
        own.up(), own.info().map(RedisInfo::role).orElse(""), own.info().map(RedisInfo::runId).orElse(""))));
    for (MemberView p : coordinator.peers()) {
      HostPort redis = config.peers().stream().filter(c -> c.nodeId().equals(p.nodeId()))
          .findFirst().orElseThrow().redis();
      PeerRedisProbe probe = peerRedis.latest().get(p.nodeId());
      nodes.add(new RedisNodeView(p.nodeId(), redis, p.redisUp(), p.redisRole(), probe == null ? "" : probe.runId()));
    }
    return new MasterView(route.epoch(), route.master().map(Decision.Target::nodeId),
        route.master().map(Decision.Target::redis), route.others(), localIsMaster, nodes);
  }

  /** Each Redis's replication offset as last seen (own probe, peers' adverts), for Sentinel's replicas. */
  private Map<HostPort, Long> replOffsets() {
    Map<HostPort, Long> offsets = new HashMap<>();
    latest.info().ifPresent(i -> offsets.put(config.redis().announce(), i.replOffset()));
    coordinator.peers().forEach(p -> config.peers().stream().filter(c -> c.nodeId().equals(p.nodeId()))
        .findFirst().ifPresent(c -> offsets.put(c.redis(), p.replOffset())));
    return offsets;
  }

  private void endpointEvent(String what) {
    events.append(new Event(Instant.now(), config.nodeId(), EventType.ENDPOINT, what, coordinator.epoch(), Map.of()));
  }

  /** Called by the controller inside its steps, on the decision thread. */
  private final class Steering implements EndpointSteering {
    @Override
    public void beforeLocalDemotion(long epoch) {
      endpoints.localDemoting();
      endpoints.publish(masterView(false));
    }

    @Override
    public Map<String, Long> afterLocalPromotion(long epoch) {
      long before = System.nanoTime();
      endpoints.publish(masterView(true));
      // The VIP's steps, when this publish took it, for the promotion's step timings.
      Map<String, Long> steps = new HashMap<>();
      endpoints.all().stream().filter(e -> e instanceof dev.redisha.endpoint.vip.VipEndpoint)
          .map(e -> ((dev.redisha.endpoint.vip.VipEndpoint) e).lastTake())
          .filter(t -> t.getOrDefault("vip_added", Long.MIN_VALUE) - before >= 0)
          .forEach(steps::putAll);
      endpoints.updatedAt().forEach((kind, at) -> {
        if (at - before >= 0) {
          steps.put("endpoint_" + kind, at);
        }
      });
      return steps;
    }

    @Override
    public boolean prepareHandover(String target, long maxMs) {
      CompletableFuture<Boolean> local = endpoints.prepareHandover(target, Duration.ofMillis(maxMs));
      // The other agents hold their endpoints when they see this node hand over, and tell the
      // group; one that does not answer in time is not waited for.
      CompletableFuture<Boolean> peers = coordinator.peersPrepared(target);
      try {
        CompletableFuture.allOf(local.exceptionally(e -> false), peers).get(maxMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // Not ready in time: the answer below is false.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      boolean ready = local.isDone() && local.getNow(false) && peers.getNow(false);
      peers.cancel(false);
      return ready;
    }

    @Override
    public void handoverCompleted(String target, HostPort targetRedis, long epoch) {
      List<HostPort> replicas = new ArrayList<>();
      replicas.add(config.redis().announce());
      config.peers().stream().map(PeerConfig::redis).filter(r -> !r.equals(targetRedis)).forEach(replicas::add);
      endpoints.localDemoting();
      endpoints.publish(new MasterView(epoch, Optional.of(target), Optional.of(targetRedis), replicas, false));
    }

    @Override
    public void handoverAborted() {
      endpoints.abortHandover();
    }
  }

  /** Another node is handing the master role over: hold this node's endpoints for it too. */
  private void followPeerHandover() {
    Optional<String> target = coordinator.handoverInProgress();
    if (target.isPresent() && target.get().equals(config.nodeId())) {
      // The master is handing its role to this node: its promotion of our Redis should be seen at
      // once, not at the next probe, so the VIP moves here without waiting out an interval.
      health.requestProbe();
    }
    if (target.isPresent() && !endpoints.preparedFor(target.get())) {
      String t = target.get();
      preparedAtEpoch = coordinator.epoch();
      endpoints.prepareHandover(t, Duration.ofMillis(config.failover().switchoverTimeoutMs()))
          .thenAccept(ok -> inbox.offer(new EndpointsPrepared(t)));
    } else if (target.isEmpty() && endpoints.preparing() && coordinator.masterServing()
        && coordinator.epoch() == preparedAtEpoch) {
      endpoints.abortHandover();
      coordinator.setHandoverPrepared("");
    } else if (!endpoints.preparing() && preparedAtEpoch >= 0) {
      preparedAtEpoch = -1;
      coordinator.setHandoverPrepared("");
    }
  }

  private record EndpointsPrepared(String target) {}

  public NodeStatus status() {
    return status;
  }

  public List<Event> recentEvents() {
    return events.recent();
  }

  public Coordinator coordinator() {
    return coordinator;
  }

  public Optional<ManagedRedis> managedRedis() {
    return managed;
  }

  public NodeConfig config() {
    return config;
  }

  /** Stops like a killed process: threads end, nothing is cleaned up, Redis is left as it is. */
  public void halt() {
    running = false;
    loop.interrupt();
    coordinator.halt();
    closeApi();
    peerRedis.close();
    health.close();
    joinLoop();
    controller.close();
    hooks.close();
    events.close();
  }

  @Override
  public void close() {
    running = false;
    loop.interrupt();
    joinLoop();
    events.append(new Event(Instant.now(), config.nodeId(), EventType.STOP, "agent stopping", coordinator.epoch(), Map.of()));
    hooks.fire(HookType.STOP, config.group(), config.nodeId(), coordinator.epoch());
    coordinator.close();
    closeApi();
    endpoints.close();
    peerRedis.close();
    health.close();
    controller.close();
    managed.ifPresent(ManagedRedis::close);
    hooks.close();
    events.close();
  }

  private void closeApi() {
    if (api != null) {
      api.close();
      api = null;
    }
    if (agentMetrics != null) {
      agentMetrics.close();
    }
  }

  private void joinLoop() {
    try {
      loop.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
