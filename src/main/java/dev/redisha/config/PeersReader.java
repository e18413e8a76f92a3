package dev.redisha.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads "peers": the other agents of the group. */
final class PeersReader {
  private static final String EXPECTED = "a list of the group's other agents, each with node_id,"
      + " advert_address, redis and optionally api";

  private PeersReader() {}

  /** The peers; {@code ownId} is this node's id, or empty if it is itself invalid. */
  static List<PeerConfig> read(Section root, Optional<String> ownId) {
    List<Section> sections = root.sections("peers", EXPECTED);
    if (root.has("peers") && root.get("peers").isArray() && sections.isEmpty()) {
      root.problem("peers", "must list at least one other agent of the group");
    }
    List<PeerConfig> peers = new ArrayList<>();
    Map<String, String> firstFieldOfId = new HashMap<>();
    for (Section peer : sections) {
      Optional<String> id = Ids.read(peer, "node_id");
      id.ifPresent(value -> checkUnique(peer, value, ownId, firstFieldOfId));
      Optional<HostPort> advert = peer.hostPort(
          "advert_address", true, "the UDP address that agent listens on for adverts");
      Optional<HostPort> redis = peer.hostPort("redis", true, "that node's Redis");
      Optional<HostPort> api = peer.hostPort("api", false, "that agent's HTTP API");
      peer.rejectUnknown();
      if (id.isPresent() && advert.isPresent() && redis.isPresent()) {
        peers.add(new PeerConfig(id.get(), advert.get(), redis.get(), api));
      }
    }
    return peers;
  }

  private static void checkUnique(
      Section peer, String id, Optional<String> ownId, Map<String, String> firstFieldOfId) {
    if (ownId.isPresent() && ownId.get().equals(id)) {
      peer.problem("node_id", "must differ from node_id " + Values.show(id)
          + " (this node itself is not one of its peers)");
      return;
    }
    String first = firstFieldOfId.putIfAbsent(id, peer.field("node_id"));
    if (first != null) {
      peer.problem("node_id", "duplicates " + first + " " + Values.show(id)
          + "; each peer needs its own node_id");
    }
  }
}
