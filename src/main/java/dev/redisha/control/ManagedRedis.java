package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervises the local redis-server in managed mode. A (re)started server always comes up as a
 * replica: of the healthy master if there is one, else of itself ("parked": read-only, holding
 * what it loaded from disk, refusing to serve a sync). It never starts as an empty master
 * (DESIGN rule 1).
 */
public final class ManagedRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagedRedis.class);
  private final NodeConfig config;
  private final Path binary;
  private RedisServerProcess process;
  private long nextStartAt;
  private long backoffMs = 200;

  public ManagedRedis(NodeConfig config) {
    this.config = config;
    this.binary = RedisBinary.locate(config.redis().binary());
  }

  /** Starts redis-server if it is not running; returns the new pid, or empty if nothing started. */
  public synchronized Optional<Long> ensureRunning(Optional<HostPort> follow, long now) {
    if (process != null && process.isAlive()) {
      return Optional.empty();
    }
    if (now < nextStartAt) {
      return Optional.empty();
    }
    // A server that keeps dying at start (bad extra_args, port taken) is retried ever more slowly.
    if (process != null) {
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
    nextStartAt = now + backoffMs;
    // Clients reach the master through the VIP too, an address this host only holds while master.
    HostPort listen = config.endpoints().vip().isPresent()
        ? new HostPort("0.0.0.0", config.redis().address().port())
        : config.redis().address();
    RedisLaunch launch =
        new RedisLaunch(
            listen,
            config.redis().dataDir(),
            config.redis().password(),
            Optional.of(follow.orElse(config.redis().announce())),
            Optional.of(config.persistence()),
            withBusyReplyThreshold(config),
            config.redis().user(),
            config.redis().tls());
    process = RedisServerProcess.start(binary, launch);
    log.info("started redis-server pid {} ({}) as replica of {}", process.pid(), binary,
        follow.map(HostPort::toString).orElse("itself (parked until a master is known)"));
    return Optional.of(process.pid());
  }

  /**
   * Redis reads nothing from anyone during the first busy-reply-threshold of a script (5 s by
   * default): to the agent that is a frozen server, called down after failures_before_down
   * timed-out probes, and failed over. A managed server answers BUSY well before that, so a long
   * script is seen as alive (and killed per health.busy_kill_after_ms) instead. Clients then get
   * BUSY errors during a script longer than the threshold rather than waiting; an operator who
   * prefers otherwise sets busy-reply-threshold in redis.extra_args, which wins.
   */
  static List<String> withBusyReplyThreshold(NodeConfig config) {
    List<String> extra = config.redis().extraArgs();
    if (extra.contains("--busy-reply-threshold") || extra.contains("--lua-time-limit")) {
      return extra;
    }
    long downAfter = (long) Math.max(1, config.health().failuresBeforeDown() - 1) * config.health().timeoutMs();
    List<String> args = new ArrayList<>(List.of("--busy-reply-threshold", Long.toString(Math.max(100, downAfter / 2))));
    args.addAll(extra);
    return args;
  }

  /** Called once the server answers: a healthy start resets the restart back-off. */
  public synchronized void markHealthy() {
    backoffMs = 200;
  }

  public synchronized Optional<RedisServerProcess> process() {
    return Optional.ofNullable(process);
  }

  public Path binary() {
    return binary;
  }

  @Override
  public synchronized void close() {
    if (process != null) {
      process.close();
    }
  }
}
