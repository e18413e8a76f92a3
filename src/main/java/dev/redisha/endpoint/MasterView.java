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
 */
public record MasterView(
    long epoch,
    Optional<String> masterNode,
    Optional<HostPort> masterRedis,
    List<HostPort> replicas,
    boolean localIsMaster) {

  public MasterView {
    replicas = List.copyOf(replicas);
  }

  public static MasterView none(long epoch, List<HostPort> replicas) {
    return new MasterView(epoch, Optional.empty(), Optional.empty(), replicas, false);
  }
}
