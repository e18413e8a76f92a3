package dev.redisha.control;

import dev.redisha.config.HealthConfig;
import dev.redisha.config.HostPort;
import dev.redisha.coordination.Coordinator;
import dev.redisha.coordination.Decision;
import dev.redisha.event.EventType;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisCommands;
import dev.redisha.redis.RedisDialer;
import dev.redisha.redis.RedisInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What the controller does while the local Redis answers BUSY (a script or function running past
 * busy-reply-threshold). Redis is alive, so it is not a fault; but it answers only SCRIPT KILL,
 * FUNCTION KILL and SHUTDOWN NOSAVE, so the controller's normal steps would fail on every
 * decision. Instead:
 *
 * <ol>
 *   <li>hold every step, and hand back a takeover or handover the coordinator asked for (it
 *       backs off instead of asking again on every decision);
 *   <li>after {@code busy_kill_after_ms} of BUSY replies, SCRIPT KILL / FUNCTION KILL, as Sentinel
 *       does for a BUSY instance; retried every {@code busy_kill_after_ms} while it stays busy;
 *   <li>if that answers UNKILLABLE (the script wrote) on a master that had an online replica, and
 *       it is still busy after {@code busy_shutdown_after_ms}: SHUTDOWN NOSAVE, confirmed by a
 *       refused connection. The server then can never finish the script and take writes again;
 *       the script's writes are lost, but they were never acknowledged (the script had not
 *       returned) nor replicated (Redis replicates a script's effects when it ends), and the
 *       replica holds everything acknowledged before. A managed server is restarted as a replica
 *       by the usual path (it comes back empty and is never made master while a peer holds data).
 *   <li>a busy master whose role another node already holds (the decision is REPLICA of that
 *       master: this node was failed over while the script ran) is killed at once, and shut down
 *       at once if unkillable: had the script ended, it would take writes beside the new master,
 *       and a demoted server resyncs from the new master anyway, dropping the script's writes.
 * </ol>
 *
 * Every step is an event with its cause; logs once per change, not per probe.
 */
final class BusyScriptPolicy {
  private static final Logger log = LoggerFactory.getLogger(BusyScriptPolicy.class);
  private static final long SHUTDOWN_CONFIRM_MS = 2000;

  interface Recorder {
    void record(EventType type, String cause, long epoch, Map<String, Object> fields);
  }

  private final String nodeId;
  private final HealthConfig health;
  private final RedisDialer dialer;
  private final HostPort target;
  private final RedisCommands local;
  private final Coordinator coordinator;
  private final Recorder events;
  private long episodeSince = -1;
  private long killTriedAt = -1;
  private boolean unkillable;
  private boolean shutDown;
  private long shutdownTriedAt = -1;
  private boolean handedBack;
  private boolean noReplicaNoted;
  private String lastOutcome = "";

  BusyScriptPolicy(
      String nodeId, HealthConfig health, RedisDialer dialer, HostPort target, RedisCommands local,
      Coordinator coordinator, Recorder events) {
    this.nodeId = nodeId;
    this.health = health;
    this.dialer = dialer;
    this.target = target;
    this.local = local;
    this.coordinator = coordinator;
    this.events = events;
  }

  /**
   * Called first for every decision. Returns true when the local Redis is BUSY and this policy
   * handled the decision (the controller then does nothing else).
   */
  boolean holds(Decision d, RedisHealth h) {
    if (!h.busy()) {
      if (episodeSince >= 0) {
        endEpisode(d, h);
      }
      return false;
    }
    if (h.busySinceMillis() != episodeSince) {
      startEpisode(d, h);
    }
    try {
      handBack(d);
      act(d, h);
    } catch (JedisException e) {
      // The connection broke mid-step (or the server went away): the next probe says which.
      note(EventType.BUSY_STEP_FAILED, "a step on my busy Redis failed: " + BusyRedis.firstLine(e.getMessage()), d, h, Map.of());
    }
    return true;
  }

  private void startEpisode(Decision d, RedisHealth h) {
    episodeSince = h.busySinceMillis();
    killTriedAt = -1;
    unkillable = false;
    shutDown = false;
    shutdownTriedAt = -1;
    handedBack = false;
    noReplicaNoted = false;
    lastOutcome = "";
    String role = h.info().map(RedisInfo::role).orElse("unknown");
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("role", role);
    f.put("kill_after_ms", health.busyKillAfterMs());
    f.put("shutdown_after_ms", health.busyShutdownAfterMs());
    note(EventType.REDIS_BUSY, "my Redis is " + h.reason() + ": alive, so no fault; holding every step,"
        + " SCRIPT KILL after " + health.busyKillAfterMs() + " ms of BUSY", d, h, f);
  }

  private void endEpisode(Decision d, RedisHealth h) {
    long lasted = h.takenAtMillis() - episodeSince;
    episodeSince = -1;
    String how = h.up() ? "answers again" : "is " + h.status().toString().toLowerCase() + " (" + h.reason() + ")";
    note(EventType.REDIS_BUSY_OVER, "my Redis " + how + " after about " + lasted + " ms of BUSY"
        + (lastOutcome.isEmpty() ? "" : "; " + lastOutcome), d, h, Map.of("busy_ms", lasted));
  }

  /** A takeover or handover needs Redis to obey; tell the coordinator it did not happen. */
  private void handBack(Decision d) {
    String why = "my Redis is busy running a script";
    if (d.action() == Decision.Action.MASTER && d.takeover()) {
      coordinator.takeoverAborted(d, why);
    } else if (d.action() == Decision.Action.HAND_OVER) {
      coordinator.handoverFinished(d, false, why);
    } else {
      return;
    }
    if (!handedBack) {
      handedBack = true;
      log.info("[{}] not acting on {} ({}): {}", nodeId, d.action(), d.reason(), why);
    }
  }

  private void act(Decision d, RedisHealth h) {
    Optional<RedisInfo> info = h.info();
    boolean master = info.map(RedisInfo::isMaster).orElse(false);
    boolean superseded = master && d.action() == Decision.Action.REPLICA && d.follow().isPresent();
    long busyFor = h.busyForMillis();
    long now = h.takenAtMillis();
    boolean killDue = killTriedAt < 0 ? busyFor >= health.busyKillAfterMs() : now - killTriedAt >= health.busyKillAfterMs();
    if (!unkillable && !shutDown && (superseded || killDue)) {
      kill(d, h, superseded);
    }
    boolean shutdownRetryDue = shutdownTriedAt < 0 || now - shutdownTriedAt >= health.busyKillAfterMs();
    if (!unkillable || shutDown || !master || !shutdownRetryDue) {
      return;
    }
    if (superseded) {
      shutDown(d, h, d.masterNode() + " is master of epoch " + d.epoch() + " while my Redis, still a master,"
          + " runs a script that wrote; had it ended, my Redis would take writes beside " + d.masterNode());
      return;
    }
    if (busyFor < health.busyShutdownAfterMs()) {
      return;
    }
    Optional<RedisInfo.ConnectedReplica> replica = info.get().replicas().stream()
        .filter(RedisInfo.ConnectedReplica::online).findFirst();
    if (replica.isPresent()) {
      shutDown(d, h, "a script that cannot be killed (it wrote) has kept my master Redis busy for " + busyFor
          + " ms, past health.busy_shutdown_after_ms = " + health.busyShutdownAfterMs() + " ms; replica "
          + replica.get().ip() + ":" + replica.get().port() + " was online and can take over");
    } else if (!noReplicaNoted) {
      noReplicaNoted = true;
      note(EventType.BUSY_NO_SHUTDOWN, "my master Redis has been busy " + busyFor + " ms with a script that cannot be killed,"
          + " but its last INFO lists no online replica to take over: not shutting down the only copy; waiting"
          + " for the script to end", d, h, Map.of("busy_ms", busyFor));
    }
  }

  private void kill(Decision d, RedisHealth h, boolean superseded) {
    long t0 = System.nanoTime();
    killTriedAt = h.takenAtMillis();
    BusyRedis.Kill k = BusyRedis.killScript(local);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("command", k.command());
    f.put("reply", BusyRedis.firstLine(k.reply()));
    f.put("busy_ms", h.busyForMillis());
    f.put("kill_ms", (System.nanoTime() - t0) / 1_000_000);
    String why = superseded
        ? d.masterNode() + " is master of epoch " + d.epoch() + " while my Redis, still a master, runs a script"
        : "my Redis has answered BUSY for " + h.busyForMillis() + " ms, past health.busy_kill_after_ms = "
            + health.busyKillAfterMs() + " ms";
    switch (k.outcome()) {
      case KILLED -> {
        lastOutcome = "the agent stopped the script with " + k.command();
        note(EventType.SCRIPT_KILLED, why + ": stopped it with " + k.command(), d, h, f);
      }
      case NOT_RUNNING -> note(EventType.SCRIPT_KILL, why + ": " + k.describe() + " (it ended by itself, or a module command is busy)", d, h, f);
      case UNKILLABLE -> {
        unkillable = true;
        lastOutcome = "the script could not be killed (it wrote)";
        note(EventType.SCRIPT_UNKILLABLE, why + ": " + k.describe() + "; "
            + (h.info().map(RedisInfo::isMaster).orElse(false)
                ? "SHUTDOWN NOSAVE once busy past health.busy_shutdown_after_ms = " + health.busyShutdownAfterMs() + " ms"
                    + " if a replica can take over"
                : "a replica's script cannot write, so nothing else is done"),
            d, h, f);
      }
      case FAILED -> note(EventType.SCRIPT_KILL, why + ": " + k.describe(), d, h, f);
    }
  }

  private void shutDown(Decision d, RedisHealth h, String why) {
    long t0 = System.nanoTime();
    shutdownTriedAt = h.takenAtMillis();
    int timeout = (int) Math.max(200, health.timeoutMs());
    Optional<String> failure = BusyRedis.shutDown(local, dialer, target, h.runId(), timeout, SHUTDOWN_CONFIRM_MS);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("busy_ms", h.busyForMillis());
    f.put("shutdown_ms", (System.nanoTime() - t0) / 1_000_000);
    if (failure.isEmpty()) {
      shutDown = true;
      lastOutcome = "the agent shut it down (SHUTDOWN NOSAVE)";
      f.put("confirmed", "connection refused");
      note(EventType.REDIS_SHUTDOWN, why + ": shut it down with SHUTDOWN NOSAVE so it can never take writes again"
          + " (the script's unacknowledged writes are dropped)", d, h, f);
    } else {
      note(EventType.REDIS_SHUTDOWN_FAILED, why + ": " + failure.get(), d, h, f);
    }
  }

  /** The event log prints each event once: that is this change's log line. */
  private void note(EventType type, String cause, Decision d, RedisHealth h, Map<String, Object> fields) {
    events.record(type, cause, d.epoch(), fields);
  }
}
