package dev.redisha.it;

import dev.redisha.agent.Agent;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PersistencePolicy;
import dev.redisha.coordination.AgentState;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisControl;
import dev.redisha.redis.RedisInfo;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import java.util.List;
import java.util.Optional;

/** One node of a test group: its config, its agent, and in external mode its redis-server. */
public final class TestNode {
  /** Tests may swap it between agent runs (a config edited by an operator). */
  NodeConfig config;
  Agent agent;
  RedisServerProcess externalRedis;
  /** Managed servers left running by a halted agent; the group kills them at the end. */
  final List<RedisServerProcess> orphans = new java.util.ArrayList<>();

  TestNode(NodeConfig config) {
    this.config = config;
  }

  public String id() {
    return config.nodeId();
  }

  public void startAgent() {
    agent = new Agent(config).start();
  }

  /** Kills the agent like SIGKILL would: no goodbye, Redis left as it is. */
  public void haltAgent() {
    if (agent != null) {
      agent.managedRedis().flatMap(m -> m.process()).ifPresent(orphans::add);
      agent.halt();
      agent = null;
    }
  }

  public void stopAgent() {
    if (agent != null) {
      agent.close();
      agent = null;
    }
  }

  public boolean isMasterAgent() {
    return agent != null && agent.status().state() == AgentState.MASTER && agent.status().redisUp();
  }

  /** The redis-server process of this node, whoever started it. */
  public RedisServerProcess redisProcess() {
    if (externalRedis != null) {
      return externalRedis;
    }
    if (agent == null && !orphans.isEmpty()) {
      return orphans.get(orphans.size() - 1); // left running by the halted agent
    }
    return agent.managedRedis().flatMap(m -> m.process()).orElseThrow();
  }

  /** Starts redis-server as "systemd" would in external mode: a plain master with the given config. */
  public void startExternalRedis(Optional<PersistencePolicy> persistence) {
    startExternalRedis(persistence, List.of());
  }

  /**
   * As above, with the node's ACL user and TLS certificate when it has them (the operator's own
   * redis.conf would define them) and {@code extraArgs} last.
   */
  public void startExternalRedis(Optional<PersistencePolicy> persistence, List<String> extraArgs) {
    RedisLaunch launch = new RedisLaunch(config.redis().address(), config.redis().dataDir(),
        config.redis().password(), Optional.empty(), persistence, extraArgs, config.redis().user(),
        config.redis().tls());
    externalRedis = RedisServerProcess.start(RedisBinary.locate(Optional.empty()), launch);
  }

  public RedisControl redis() {
    return new RedisControl(RedisConnector.of(config.redis()), config.redis().address(), 1000);
  }

  /** INFO of this node's Redis, or empty if it does not answer. */
  public Optional<RedisInfo> info() {
    try (RedisControl c = redis()) {
      return Optional.of(c.info());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  public boolean redisIsMaster() {
    return info().map(RedisInfo::isMaster).orElse(false);
  }
}
