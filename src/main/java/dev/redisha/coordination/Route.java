package dev.redisha.coordination;

import dev.redisha.config.HostPort;
import java.util.List;
import java.util.Optional;

/**
 * Where clients should go now, as the coordinator sees the group: the one rule endpoints steer by
 * (a node's Redis serves as master when its member says it is the epoch's master and its Redis
 * answers as a master: {@link MemberStatus#servesAsMaster()}).
 *
 * @param epoch the epoch the route belongs to
 * @param master the master's node and Redis, empty while none serves (a failover in progress)
 * @param others every other node's Redis, this node's first
 */
public record Route(long epoch, Optional<Decision.Target> master, List<HostPort> others) {
  public Route {
    others = List.copyOf(others);
  }
}
