package dev.redisha.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One node's configuration, validated as a whole by {@link ConfigLoader}; every field here is
 * already checked, so the rest of the agent never re-validates.
 */
public record NodeConfig(
    Path source,
    String group,
    String nodeId,
    int priority,
    RedisConfig redis,
    List<PeerConfig> peers,
    CoordinationConfig coordination,
    HealthConfig health,
    PersistencePolicy persistence,
    FailoverConfig failover,
    HooksConfig hooks,
    ApiConfig api,
    Path stateDir,
    EndpointsConfig endpoints) {

  public NodeConfig {
    peers = List.copyOf(peers);
  }
}
