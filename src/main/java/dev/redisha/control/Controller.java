package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.coordination.Coordinator;
import dev.redisha.coordination.Decision;
import dev.redisha.event.Event;
import dev.redisha.event.EventType;
import dev.redisha.event.HookType;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisCommands;
import dev.redisha.redis.RedisDialer;
import dev.redisha.redis.RedisInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The one place that changes Redis (DESIGN §2): it makes the local Redis match the coordinator's
 * decision, in a safe order, and records every step with its cause and duration. Level-triggered:
 * each call compares what Redis is with what it should be, so a step that failed is simply
 * retried on the next decision.
 */
public final class Controller implements AutoCloseable {

  private final NodeConfig config;
  private final Coordinator coordinator;
  private final RedisCommands local;
  private final OldMasterFence fence;
  private final PlannedSwitchover switchover;
  private final Optional<ManagedRedis> managed;
  private final Consumer<Event> events;
  private final BiConsumer<HookType, Long> hooks;
  private final LongSupplier clock;
  private final EndpointSteering steering;
  private final PersistenceSteering persistence;
  private final BusyScriptPolicy busyScripts;
  private Decision.Action lastAction;
  private DecisionLine lastDecisionLine;
  private String tunedRunId = "";
  private boolean active;

  public Controller(
      NodeConfig config,
      RedisConnector connector,
      Coordinator coordinator,
      Optional<ManagedRedis> managed,
      Consumer<Event> events,
      BiConsumer<HookType, Long> hooks,
      EndpointSteering steering,
      LongSupplier clock) {
    this(config, RedisDialer.of(connector), coordinator, managed, events, hooks, steering, clock);
  }

  /** @param dialer opens every connection to a Redis server the controller's steps need */
  Controller(
      NodeConfig config,
      RedisDialer dialer,
      Coordinator coordinator,
      Optional<ManagedRedis> managed,
      Consumer<Event> events,
      BiConsumer<HookType, Long> hooks,
      EndpointSteering steering,
      LongSupplier clock) {
    this.config = config;
    this.steering = steering;
    this.coordinator = coordinator;
    int timeout = (int) Math.max(500, config.health().timeoutMs() * 2);
    this.local = dialer.open(config.redis().address(), timeout);
    this.switchover = new PlannedSwitchover(dialer, (int) config.health().timeoutMs(), config.failover().switchoverTimeoutMs());
    this.fence = new OldMasterFence(dialer, (int) config.health().timeoutMs(), config.failover().switchoverTimeoutMs());
    this.managed = managed;
    this.events = events;
    this.hooks = hooks;
    this.clock = clock;
    this.persistence = new PersistenceSteering(config.persistence(), local, this::record, clock);
    this.busyScripts = new BusyScriptPolicy(config.nodeId(), config.health(), dialer, config.redis().address(),
        local, coordinator, this::record);
  }

  /**
   * When the decision loop woke for this decision and when the policy had decided, in {@link
   * System#nanoTime}: the first two of a takeover's step timings.
   */
  public record LoopTimes(long wokeNanos, long decidedNanos) {
    static final LoopTimes NONE = new LoopTimes(Long.MIN_VALUE, Long.MIN_VALUE);
  }

  public void apply(Decision d, RedisHealth h) {
    apply(d, h, LoopTimes.NONE);
  }

  public void apply(Decision d, RedisHealth h, LoopTimes loop) {
    recordDecisionChange(d);
    // A BUSY Redis answers only SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE: the steps below
    // would fail on every decision, so that policy decides alone until Redis answers again.
    if (busyScripts.holds(d, h)) {
      return;
    }
    try {
      String runId = h.runId();
      if (h.up() && !runId.equals(tunedRunId)) {
        local.tuneForFailover();
        tunedRunId = runId;
      }
      switch (d.action()) {
        case MASTER -> beMaster(d, h, loop);
        case REPLICA -> beReplica(d, h);
        case FAULT -> beFaulty(d, h);
        case HAND_OVER -> handOver(d, h);
        case WAIT -> ensureManagedRunning(d, h);
      }
    } catch (JedisException e) {
      // Redis went away mid-step; the health monitor will report it and the next decision retries.
      record(EventType.ACTION_FAILED, d.action() + " failed: " + e.getMessage(), d.epoch(), Map.of());
    }
    if (d.action() != lastAction && d.action() != Decision.Action.WAIT) {
      HookType hook = switch (d.action()) {
        case MASTER -> HookType.MASTER;
        case REPLICA -> HookType.BACKUP;
        case FAULT -> HookType.FAULT;
        default -> null;
      };
      if (d.action() != Decision.Action.FAULT) {
        active = true;
      }
      // A starting agent whose Redis is not up yet (managed mode starts it) is not a fault worth a
      // notify_fault; only a node that has served as master or replica can fail.
      boolean startingUp = d.action() == Decision.Action.FAULT && !active;
      if (hook != null && !startingUp && !(d.action() == Decision.Action.MASTER && lastAction == Decision.Action.HAND_OVER)) {
        hooks.accept(hook, d.epoch());
      }
      lastAction = d.action();
    }
  }

  private void beMaster(Decision d, RedisHealth h, LoopTimes loop) {
    StepClock steps = StepClock.start(d.timing(), clock.getAsLong());
    if (loop != LoopTimes.NONE) {
      steps.mark("t_loop_woke_ms", loop.wokeNanos());
      steps.mark("t_policy_decided_ms", loop.decidedNanos());
    }
    RedisInfo info = h.info().orElseThrow();
    // A takeover that fences nobody promotes whatever the probe said: REPLICAOF NO ONE is a no-op
    // on a master, and one round trip less (7-11 ms on a loaded host) is saved on the way to the
    // endpoints. A fence needs to know what this Redis is now.
    boolean promoteAnyway = d.takeover() && d.fence().isEmpty();
    if (!promoteAnyway && (!info.isMaster() || d.takeover())) {
      // The probe may be up to one interval old; act on what Redis is now.
      info = local.info();
    }
    boolean isMaster = info.isMaster() && !isParked(info);
    if (d.takeover()) {
      long t0 = System.nanoTime();
      if (!promoteAnyway) {
        steps.mark("t_local_info_ms", t0);
      }
      if (d.fence().isPresent() && !isMaster) {
        // Only a takeover from a silent master stuck BUSY past the limit may shut its server down.
        FenceResult r = fence.fence(d.fence().get(), d.fenceCatchUp(), local, config.redis().announce(), d.fenceMayShutDown());
        steps.put("fence", r.outcome().toString().toLowerCase());
        steps.put("fence_ms", ms(t0));
        if (r.lostBytes() > 0) {
          steps.put("unreplicated_bytes", r.lostBytes());
        }
        if (!r.allowsPromotion()) {
          coordinator.takeoverAborted(d, r.detail());
          record(EventType.FENCE_FAILED, "not promoting: the old master answers but could not be demoted: " + r.detail(), d.epoch(), steps.fields());
          return;
        }
        steps.mark("t_fenced_ms", System.nanoTime());
      }
      long t1 = System.nanoTime();
      if (!coordinator.commitTakeover(d)) {
        // No REPLICAOF NO ONE for an epoch that is not on disk: a restart would forget it was
        // master of it, and the fenced old master stays a replica until the retry.
        steps.put("commit_epoch_ms", ms(t1));
        record(EventType.TAKEOVER_ABORTED, "not promoting: the new epoch " + d.epoch() + " could not be recorded: "
            + coordinator.stateProblem(), d.epoch(), steps.fields());
        return;
      }
      steps.put("commit_epoch_ms", ms(t1));
      steps.mark("t_epoch_committed_ms", System.nanoTime());
      long t2 = System.nanoTime();
      if (!isMaster || promoteAnyway) {
        local.promote();
      }
      steps.put("promote_ms", ms(t2));
      steps.mark("t_promoted_ms", System.nanoTime());
      steps.put("total_ms", ms(t0));
      steering.afterLocalPromotion(d.epoch()).forEach((step, at) -> steps.mark("t_" + step + "_ms", at));
      steps.mark("t_endpoints_ms", System.nanoTime());
      record(EventType.PROMOTE, d.reason(), d.epoch(), steps.fields());
    } else if (!isMaster) {
      long t0 = System.nanoTime();
      local.promote();
      steering.afterLocalPromotion(d.epoch());
      record(EventType.PROMOTE, d.reason(), d.epoch(), Map.of("promote_ms", ms(t0)));
    } else {
      steering.afterLocalPromotion(d.epoch());
    }
    persistence.steer(PersistenceSteering.Role.MASTER, d.persist(), h, d.epoch(),
        d.persist() ? "master without an in-sync persisting replica: it is the last copy" : "an in-sync replica persists; the master keeps data in memory only");
  }

  private void beReplica(Decision d, RedisHealth h) {
    RedisInfo info = h.info().orElseThrow();
    HostPort target = d.follow().orElse(config.redis().announce());
    if (info.isMaster() || !target.equals(upstreamOf(info))) {
      info = local.info();
    }
    if (info.isMaster() || !target.equals(upstreamOf(info))) {
      if (info.isMaster()) {
        steering.beforeLocalDemotion(d.epoch());
      }
      long t0 = System.nanoTime();
      local.replicateFrom(target);
      Map<String, Object> steps = new LinkedHashMap<>();
      steps.put("replicaof", target.toString());
      steps.put("replicaof_ms", ms(t0));
      if (info.isMaster()) {
        long t1 = System.nanoTime();
        steps.put("clients_dropped", local.dropNormalClients());
        steps.put("drop_clients_ms", ms(t1));
      }
      record(info.isMaster() ? EventType.DEMOTE : EventType.FOLLOW, d.reason(), d.epoch(), steps);
    }
    persistence.steer(PersistenceSteering.Role.REPLICA, true, h, d.epoch(), "replicas persist");
  }

  private void beFaulty(Decision d, RedisHealth h) {
    if (!h.up()) {
      ensureManagedRunning(d, h);
      return;
    }
    // Up but unusable: restarted without its data, or behind a peer with newer data. It must
    // stop taking writes and must never be a sync source for anybody.
    RedisInfo info = local.info();
    HostPort target = d.follow().orElse(config.redis().announce());
    if (info.isMaster() || !target.equals(upstreamOf(info))) {
      if (info.isMaster()) {
        steering.beforeLocalDemotion(d.epoch());
      }
      local.replicateFrom(target);
      long dropped = info.isMaster() ? local.dropNormalClients() : 0;
      record(EventType.DEMOTE, d.reason(), d.epoch(),
          Map.of("replicaof", d.follow().map(HostPort::toString).orElse("itself (parked)"), "clients_dropped", dropped));
    }
  }

  private void ensureManagedRunning(Decision d, RedisHealth h) {
    if (h.status() != RedisHealth.Status.DOWN) {
      managed.ifPresent(ManagedRedis::markHealthy);
      return;
    }
    managed.flatMap(m -> m.ensureRunning(d.follow(), clock.getAsLong()))
        .ifPresent(pid -> record(EventType.REDIS_START, "managed redis-server was not running: " + h.reason(), d.epoch(),
            Map.of("pid", pid, "replicaof", d.follow().map(HostPort::toString).orElse("itself (parked)"))));
  }

  /** Zero-loss handover (DESIGN rule 3), endpoints held first so clients see a pause, not an error. */
  private void handOver(Decision d, RedisHealth h) {
    Decision.Target target = d.handoverTo().orElseThrow();
    long t0 = System.nanoTime();
    // Before any endpoint holds a client or writes pause: a target that is not receiving the
    // stream yet would make that whole wait the clients'.
    PlannedSwitchover.Result streaming = switchover.awaitStreaming(local, target.redis());
    if (!streaming.success()) {
      coordinator.handoverFinished(d, false, streaming.detail());
      Map<String, Object> steps = new LinkedHashMap<>(Map.of("to", target.nodeId(), "success", false));
      steps.putAll(streaming.steps());
      record(EventType.HANDOVER, d.reason() + ": " + streaming.detail(), d.epoch(), steps);
      return;
    }
    // Clients behind endpoints must have nothing in flight when this node is demoted, or the
    // demoted server answers them -READONLY; half the switchover budget goes to draining them.
    long preparedFrom = System.nanoTime();
    boolean endpointsReady = steering.prepareHandover(target.nodeId(), config.failover().switchoverTimeoutMs() / 2);
    long prepareMs = ms(preparedFrom);
    // Every endpoint lets go of this node before its Redis is paused and demoted (the VIP first),
    // so no client reaches a server that already answers READONLY, and no VIP client's command is
    // held here when the address leaves (see PlannedSwitchover); an abort gives them back.
    PlannedSwitchover.Result r = switchover.run(local, target.redis(), () -> steering.beforeLocalDemotion(d.epoch()));
    coordinator.handoverFinished(d, r.success(), r.detail());
    if (r.success()) {
      steering.handoverCompleted(target.nodeId(), target.redis(), d.epoch() + 1);
    } else {
      steering.handoverAborted();
    }
    Map<String, Object> steps = new LinkedHashMap<>();
    steps.put("to", target.nodeId());
    steps.put("success", r.success());
    steps.put("endpoints_ready", endpointsReady);
    steps.put("prepare_ms", prepareMs);
    steps.putAll(streaming.steps());
    steps.putAll(r.steps());
    steps.put("total_ms", ms(t0));
    record(EventType.HANDOVER, d.reason() + ": " + r.detail(), r.success() ? d.epoch() + 1 : d.epoch(), steps);
  }

  /** What a decision event says; a decision that says the same again is not recorded again. */
  private record DecisionLine(long epoch, String reason, Map<String, Object> fields) {}

  /**
   * Every change of decision is an event as well as a log line, hook or not: a FAULT that fires
   * no notify_fault (an agent starting beside a Redis that is down) still leaves its record in
   * events.jsonl (DESIGN rule 5).
   */
  private void recordDecisionChange(Decision d) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("action", d.action().name().toLowerCase(Locale.ROOT));
    f.put("master", d.masterNode());
    // The fixed code beside the sentence, for scripts and alerts (Decision.Cause; not the coarser
    // transition causes that /history and the failover counters use).
    f.put("cause_code", d.cause().name().toLowerCase(Locale.ROOT));
    DecisionLine line = new DecisionLine(d.epoch(), d.reason(), f);
    if (!line.equals(lastDecisionLine)) {
      lastDecisionLine = line;
      record(EventType.DECISION, d.reason(), d.epoch(), f);
    }
  }

  private boolean isParked(RedisInfo info) {
    return !info.isMaster() && upstreamOf(info).equals(config.redis().announce());
  }

  private static HostPort upstreamOf(RedisInfo info) {
    return new HostPort(info.masterHost(), info.masterPort());
  }

  private static long ms(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  private void record(EventType type, String cause, long epoch, Map<String, Object> fields) {
    // The clock is monotonic (timers); an event carries wall-clock time for people.
    events.accept(new Event(Instant.now(), config.nodeId(), type, cause, epoch, fields));
  }

  @Override
  public void close() {
    local.close();
  }
}
