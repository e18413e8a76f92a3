package dev.redisha.api;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.endpoint.Endpoint;
import dev.redisha.endpoint.proxy.ProxyMetrics;
import dev.redisha.endpoint.proxy.RedisProxy;
import dev.redisha.endpoint.sentinel.SentinelEndpoint;
import dev.redisha.event.Event;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Every metric family the agent exports on {@code /metrics}, in one place, each with a HELP
 * sentence and the Prometheus type it is: counters only go up and end in {@code _total}, gauges
 * are values now, durations are histograms in seconds. {@code docs/operations.md} lists them.
 */
public final class AgentMetrics implements AutoCloseable {
  /** Buckets of the failover and switchover durations: from a fast switchover to a slow takeover. */
  private static final Duration[] TRANSITION_BUCKETS = seconds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
  /** Buckets of a probe of the local Redis: loopback round trips to a timed-out probe. */
  private static final Duration[] PROBE_BUCKETS = seconds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1);

  /**
   * What the metrics read; every supplier must be cheap and must not block (a scrape reads them).
   *
   * @param status the agent's status snapshot
   * @param health the last probe of the local Redis
   * @param endpoints the node's endpoints (proxy and Sentinel counters are read from them)
   */
  public record Sources(
      Supplier<NodeStatus> status,
      Supplier<RedisHealth> health,
      List<Endpoint> endpoints) {}

  private final PrometheusMeterRegistry registry;
  private final NodeConfig config;
  private final Sources sources;
  private final MultiGauge replicaLagBytes;
  private final MultiGauge replicaLagSeconds;
  private final AtomicLong lastFailoverMillis = new AtomicLong(-1);
  private final AtomicLong lastSwitchoverMillis = new AtomicLong(-1);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private AgentMetrics(PrometheusMeterRegistry registry, NodeConfig config, Sources sources) {
    this.registry = registry;
    this.config = config;
    this.sources = sources;
    this.replicaLagBytes = MultiGauge.builder("redisha_replica_lag_bytes")
        .description("On the master's agent: how many bytes each replica's offset is behind the master's, from the"
            + " master's INFO replication")
        .register(registry);
    this.replicaLagSeconds = MultiGauge.builder("redisha_replica_lag_seconds")
        .description("On the master's agent: seconds since each replica last acknowledged its offset (INFO"
            + " replication lag=)")
        .register(registry);
  }

  /** Registers every family on {@code registry}; {@link #scrape()} is what {@code /metrics} serves. */
  public static AgentMetrics bind(PrometheusMeterRegistry registry, NodeConfig config, Sources sources) {
    AgentMetrics m = new AgentMetrics(registry, config, sources);
    m.registerAgent();
    m.registerTransitions();
    m.registerEndpoints();
    m.registerJvm();
    return m;
  }

  /** The Prometheus text, with the per-replica rows brought up to date first. */
  public String scrape() {
    refreshReplicaRows();
    return registry.scrape();
  }

  /** Counts a master change the event log records (a takeover or a handover). */
  public void observe(Event event) {
    boolean takeover = event.type().equals("promote") && event.fields().containsKey("commit_epoch_ms");
    boolean handover = event.type().equals("handover");
    if (!takeover && !handover) {
      return;
    }
    String cause = TransitionCause.of(event);
    if (takeover) {
      if (cause.equals(TransitionCause.BOOTSTRAP)) {
        return; // the group's first master: nobody failed
      }
      failovers(cause).increment();
      millis(event, "total_ms").ifPresent(ms -> {
        lastFailoverMillis.set(ms);
        transitionTimer("failover").record(ms, TimeUnit.MILLISECONDS);
      });
      return;
    }
    boolean success = Boolean.TRUE.equals(event.fields().get("success"));
    switchovers(cause, success).increment();
    if (success) {
      millis(event, "total_ms").ifPresent(ms -> {
        lastSwitchoverMillis.set(ms);
        transitionTimer("switchover").record(ms, TimeUnit.MILLISECONDS);
      });
    }
  }

  private void registerAgent() {
    Supplier<NodeStatus> status = sources.status();
    // Exported as redisha_build: Micrometer's Prometheus registry strips "_info" from gauge names
    // (the suffix belongs to the OpenMetrics info type).
    Gauge.builder("redisha_build", () -> 1)
        .description("Always 1; the labels say which redis-ha and Java runtime run this agent")
        .tags("version", BuildInfo.version(), "java_version", System.getProperty("java.version", ""),
            "group", config.group(), "node_id", config.nodeId())
        .register(registry);
    for (AgentState state : AgentState.values()) {
      Gauge.builder("redisha_role", () -> status.get().state() == state ? 1 : 0)
          .description("1 for the state this agent is in now (master, replica, handing_over, fault, starting,"
              + " stopping), 0 for the others")
          .tag("role", state.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    Gauge.builder("redisha_is_master", () -> status.get().state() == AgentState.MASTER ? 1 : 0)
        .description("1 while this agent is the group's master").register(registry);
    Gauge.builder("redisha_epoch", () -> status.get().epoch())
        .description("The highest epoch this agent knows; it grows by one with every change of master")
        .register(registry);
    Gauge.builder("redisha_redis_up", () -> status.get().redisUp() ? 1 : 0)
        .description("1 while the local Redis answers the agent's probes").register(registry);
    Gauge.builder("redisha_replication_offset", () -> status.get().replOffset())
        .description("The local Redis' replication offset in bytes (master_repl_offset)").register(registry);
    Gauge.builder("redisha_replication_lag", () -> status.get().lagBytes())
        .description("On a replica: bytes its offset is behind the master's last advertised offset; 0 on the master")
        .baseUnit("bytes").register(registry);
    Gauge.builder("redisha_persisting", () -> status.get().persisting() ? 1 : 0)
        .description("1 while the local Redis persists (RDB save points or AOF); the master persists only when it"
            + " is the last copy").register(registry);
    Gauge.builder("redisha_state_writable", () -> status.get().stateProblem().isEmpty() ? 1 : 0)
        .description("1 while the state file can be written; 0 blocks every takeover by this node").register(registry);
    Gauge.builder("redisha_paused", () -> status.get().paused() ? 1 : 0)
        .description("1 while the group is in maintenance mode (no automatic failover)").register(registry);
    Gauge.builder("redisha_hold_down", () -> status.get().holdDown() ? 1 : 0)
        .description("1 while this node holds back from taking over after repeated failures").register(registry);
    Gauge.builder("redisha_warnings", () -> status.get().warnings().size())
        .description("Problems shown in status that need an operator (keys differ, silent master agent, ...)")
        .register(registry);
  }

  private void registerTransitions() {
    // Every series exists from the start at 0, so rate() and alerts see the first one.
    for (String cause : List.of(TransitionCause.MASTER_FAILED, TransitionCause.MASTER_STOPPED,
        TransitionCause.MASTER_UNREACHABLE, TransitionCause.MASTER_BUSY)) {
      failovers(cause);
    }
    for (String cause : List.of(TransitionCause.OPERATOR, TransitionCause.FAILBACK)) {
      switchovers(cause, true);
      switchovers(cause, false);
    }
    transitionTimer("failover");
    transitionTimer("switchover");
    Gauge.builder("redisha_last_transition_duration_seconds", lastFailoverMillis, v -> seconds(v.get()))
        .description("How long the last failover (takeover) or successful switchover this agent ran took;"
            + " NaN before the first").tag("kind", "failover").register(registry);
    Gauge.builder("redisha_last_transition_duration_seconds", lastSwitchoverMillis, v -> seconds(v.get()))
        .description("How long the last failover (takeover) or successful switchover this agent ran took;"
            + " NaN before the first").tag("kind", "switchover").register(registry);
  }

  private Counter failovers(String cause) {
    return Counter.builder("redisha_failovers")
        .description("Takeovers this agent made from a failed master, by cause").tag("cause", cause).register(registry);
  }

  private Counter switchovers(String cause, boolean success) {
    return Counter.builder("redisha_switchovers")
        .description("Planned handovers this master ran (operator or failback), by cause and outcome")
        .tags("cause", cause, "outcome", success ? "success" : "failed").register(registry);
  }

  private Timer transitionTimer(String kind) {
    return Timer.builder("redisha_transition_duration")
        .description("Durations of this agent's failovers (fence, epoch, promotion) and switchovers (drain to"
            + " resume)").tag("kind", kind).serviceLevelObjectives(TRANSITION_BUCKETS).register(registry);
  }

  /** The probe of the local Redis; registered by the agent's health monitor callback. */
  public void recordProbe(RedisHealth health, long nanos) {
    Timer.builder("redisha_probe_duration")
        .description("How long each probe of the local Redis took (PING, INFO, CONFIG GET), by its outcome")
        .tag("outcome", health.status().name().toLowerCase(Locale.ROOT)).serviceLevelObjectives(PROBE_BUCKETS)
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  private void registerEndpoints() {
    for (RedisHealth.Status s : RedisHealth.Status.values()) {
      Timer.builder("redisha_probe_duration")
          .description("How long each probe of the local Redis took (PING, INFO, CONFIG GET), by its outcome")
          .tag("outcome", s.name().toLowerCase(Locale.ROOT)).serviceLevelObjectives(PROBE_BUCKETS)
          .register(registry);
    }
    for (Endpoint e : sources.endpoints()) {
      if (e instanceof RedisProxy proxy) {
        registerProxy(proxy);
      } else if (e instanceof SentinelEndpoint sentinel) {
        registerSentinel(sentinel);
      }
    }
  }

  private void registerProxy(RedisProxy proxy) {
    Gauge.builder("redisha_proxy_connections", proxy, p -> p.metrics().connections())
        .description("Client connections open on the proxy now").register(registry);
    Gauge.builder("redisha_proxy_held_connections", proxy, p -> p.metrics().heldNow())
        .description("Proxy clients not being read now: held for a switchover or waiting for a master")
        .register(registry);
    proxyCounter("redisha_proxy_connections_accepted", "Client connections the proxy accepted", proxy,
        ProxyMetrics::accepted, Tags.empty());
    proxyCounter("redisha_proxy_moved_connections", "Proxy clients moved to a new master without noticing"
        + " (switchover)", proxy, ProxyMetrics::movedOnSwitchover, Tags.empty());
    String closed = "Proxy clients closed by the proxy, by reason";
    proxyCounter("redisha_proxy_closed_connections", closed, proxy, ProxyMetrics::closedOnMasterChange,
        Tags.of("reason", "master_change"));
    proxyCounter("redisha_proxy_closed_connections", closed, proxy, ProxyMetrics::closedWithoutMaster,
        Tags.of("reason", "no_master"));
    proxyCounter("redisha_proxy_closed_connections", closed, proxy, ProxyMetrics::closedUnauthenticated,
        Tags.of("reason", "unauthenticated"));
    proxyCounter("redisha_proxy_closed_connections", closed, proxy, ProxyMetrics::closedIdle,
        Tags.of("reason", "idle"));
    String bytes = "Bytes the proxy relayed, by direction";
    proxyCounter("redisha_proxy_bytes", bytes, proxy, ProxyMetrics::bytesFromClients, Tags.of("direction", "from_clients"));
    proxyCounter("redisha_proxy_bytes", bytes, proxy, ProxyMetrics::bytesToClients, Tags.of("direction", "to_clients"));
    proxyCounter("redisha_proxy_upstream_errors", "Proxy connections to the master that failed to open or broke"
        + " with an error", proxy, ProxyMetrics::upstreamErrors, Tags.empty());
  }

  private void proxyCounter(String name, String help, RedisProxy proxy,
      java.util.function.ToLongFunction<ProxyMetrics> value, Tags tags) {
    FunctionCounter.builder(name, proxy, p -> value.applyAsLong(p.metrics())).description(help).tags(tags)
        .register(registry);
  }

  private void registerSentinel(SentinelEndpoint s) {
    Gauge.builder("redisha_sentinel_clients", s, SentinelEndpoint::connectedClients)
        .description("Clients connected to the Sentinel endpoint now").register(registry);
    FunctionCounter.builder("redisha_sentinel_connections_received", s, SentinelEndpoint::connectionsReceived)
        .description("Connections the Sentinel endpoint accepted").register(registry);
    FunctionCounter.builder("redisha_sentinel_connections_rejected", s, SentinelEndpoint::rejectedConnections)
        .description("Connections the Sentinel endpoint refused at its client limit").register(registry);
    FunctionCounter.builder("redisha_sentinel_idle_closed", s, SentinelEndpoint::idleClosed)
        .description("Sentinel endpoint clients closed for idling").register(registry);
    FunctionCounter.builder("redisha_sentinel_commands", s, SentinelEndpoint::commandsProcessed)
        .description("Commands the Sentinel endpoint answered").register(registry);
    FunctionCounter.builder("redisha_sentinel_protocol_errors", s, SentinelEndpoint::protocolErrors)
        .description("Sentinel endpoint clients closed for breaking the RESP protocol").register(registry);
    FunctionCounter.builder("redisha_sentinel_auth_failures", s, SentinelEndpoint::authFailures)
        .description("AUTH attempts on the Sentinel endpoint with a wrong password").register(registry);
  }

  private void registerJvm() {
    // Two of Micrometer's processor meters break Prometheus' naming rules (promtool check metrics):
    // a CPU time in "ns" and a gauge ending in "_count". process_cpu_usage and the renamed
    // processor count carry the same news.
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.processors") : id;
      }
    });
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** The master's view of each replica its Redis lists; other agents have no rows. */
  private void refreshReplicaRows() {
    RedisHealth h = sources.health().get();
    Optional<RedisInfo> info = h.up() ? h.info() : Optional.empty();
    List<MultiGauge.Row<?>> bytes = new ArrayList<>();
    List<MultiGauge.Row<?>> lagSeconds = new ArrayList<>();
    if (info.isPresent() && info.get().isMaster()) {
      long masterOffset = info.get().replOffset();
      for (RedisInfo.ConnectedReplica r : info.get().replicas()) {
        Tags tags = Tags.of("replica", nodeAt(r.ip(), r.port()));
        bytes.add(MultiGauge.Row.of(tags, Math.max(0, masterOffset - r.offset())));
        lagSeconds.add(MultiGauge.Row.of(tags, r.lagSeconds()));
      }
    }
    replicaLagBytes.register(bytes, true);
    replicaLagSeconds.register(lagSeconds, true);
  }

  /** The node id of the peer whose Redis is at ip:port, else "ip:port". */
  private String nodeAt(String ip, int port) {
    HostPort at = new HostPort(ip, port);
    for (PeerConfig p : config.peers()) {
      if (p.redis().equals(at)) {
        return p.nodeId();
      }
    }
    for (PeerConfig p : config.peers()) {
      if (p.redis().port() == port && config.peers().stream().filter(q -> q.redis().port() == port).count() == 1) {
        return p.nodeId(); // announced under another name for the same host, one peer on that port
      }
    }
    return at.toString();
  }

  private static Optional<Long> millis(Event e, String field) {
    return e.fields().get(field) instanceof Number n ? Optional.of(n.longValue()) : Optional.empty();
  }

  private static double seconds(long millis) {
    return millis < 0 ? Double.NaN : millis / 1000.0;
  }

  private static Duration[] seconds(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofNanos((long) (values[i] * 1e9));
    }
    return out;
  }

  @Override
  public void close() {
    gc.close();
  }
}
