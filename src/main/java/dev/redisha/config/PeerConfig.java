package dev.redisha.config;

import java.util.Optional;

/**
 * Another agent of the group.
 *
 * @param nodeId its node id
 * @param advert where its agent listens for UDP adverts
 * @param redis its Redis, for fencing and for direct checks when its agent is silent
 * @param api its agent's HTTP API, if any (used by the status command)
 */
public record PeerConfig(String nodeId, HostPort advert, HostPort redis, Optional<HostPort> api) {}
