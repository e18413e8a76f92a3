package dev.redisha.endpoint.sentinel;

import dev.redisha.config.HostPort;
import java.util.Objects;

/**
 * Another agent's Sentinel-compatible endpoint, listed by {@code SENTINEL sentinels} so clients
 * that discover Sentinels (Lettuce, for one) learn every agent.
 *
 * @param nodeId the other agent's node id; its Sentinel id derives from it like this agent's does
 * @param address where clients reach that endpoint
 */
public record SentinelPeer(String nodeId, HostPort address) {
  public SentinelPeer {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(address, "address");
  }
}
