package dev.redisha.redis;

import dev.redisha.config.HostPort;

/** Opens {@link RedisCommands} to a server: the local one, an old master to fence, a handover target. */
@FunctionalInterface
public interface RedisDialer {
  RedisCommands open(HostPort target, int timeoutMs);

  /** Real connections, made with this node's credentials and TLS settings. */
  static RedisDialer of(RedisConnector connector) {
    return (target, timeoutMs) -> new RedisControl(connector, target, timeoutMs);
  }
}
