package dev.redisha.endpoint;

import dev.redisha.config.HostPort;
import java.util.List;
import java.util.Optional;

/**
 * What endpoints steer clients by: the group's master as this agent's decision sees it. Immutable;
 * a new view is published after every decision that changes it.
 *
 * @param epoch the epoch of the decision
 * @param masterNode the master's node id, empty while there is none (failover in progress)
 * @param masterRedis the master's Redis address as clients reach it, empty while there is none
 * @param replicas the Redis addresses of the other nodes (for Sentinel's "replicas")
 * @param localIsMaster whether this node is the master (the VIP belongs here)
 * @param nodes every node's Redis as this agent knows it (up, reported role, run id); empty when
 *     the publisher does not know (then endpoints assume the nodes are up in their listed roles)
 */
public record MasterView(
    long epoch,
    Optional<String> masterNode,
    Optional<HostPort> masterRedis,
    List<HostPort> replicas,
    boolean localIsMaster,
    List<RedisNodeView> nodes) {

  public MasterView {
    replicas = List.copyOf(replicas);
    nodes = List.copyOf(nodes);
  }

  /** A view without node details. */
  public MasterView(
      long epoch,
      Optional<String> masterNode,
      Optional<HostPort> masterRedis,
      List<HostPort> replicas,
      boolean localIsMaster) {
    this(epoch, masterNode, masterRedis, replicas, localIsMaster, List.of());
  }

  public static MasterView none(long epoch, List<HostPort> replicas) {
    return new MasterView(epoch, Optional.empty(), Optional.empty(), replicas, false);
  }

  /** The details of the node whose Redis is at {@code redis}, if known. */
  public Optional<RedisNodeView> node(HostPort redis) {
    return nodes.stream().filter(n -> n.redis().equals(redis)).findFirst();
  }
}
