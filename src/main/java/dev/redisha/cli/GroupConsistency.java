package dev.redisha.cli;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks that need several nodes' files at once: what each file is valid alone but wrong
 * together (a key rotated on one host, a copied file with the same node_id, a peer entry left
 * pointing at an old address). Each problem names the files and the fields. Key bytes are
 * compared, never shown.
 */
final class GroupConsistency {
  record Node(Path file, NodeConfig config) {}

  private GroupConsistency() {}

  static List<String> problems(List<Node> nodes) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      for (int j = i + 1; j < nodes.size(); j++) {
        pair(nodes.get(i), nodes.get(j), out);
      }
    }
    for (Node x : nodes) {
      for (Node y : nodes) {
        if (x != y && !x.config().nodeId().equals(y.config().nodeId())) {
          peerEntry(x, y, out);
        }
      }
    }
    return out;
  }

  private static void pair(Node x, Node y, List<String> out) {
    NodeConfig a = x.config();
    NodeConfig b = y.config();
    if (!a.group().equals(b.group())) {
      out.add(x.file() + " and " + y.file() + " name different groups (group: " + a.group() + " and "
          + b.group() + "); adverts of another group are dropped");
    }
    if (a.nodeId().equals(b.nodeId())) {
      out.add(x.file() + " and " + y.file() + " both have node_id " + a.nodeId()
          + "; every node of a group needs its own");
    }
    byte[] keyA = a.coordination().key().bytes();
    byte[] keyB = b.coordination().key().bytes();
    try {
      if (!MessageDigest.isEqual(keyA, keyB)) {
        out.add(x.file() + " and " + y.file() + " use different coordination keys (coordination.key_file"
            + " or key_env: " + a.coordination().key().origin() + " and " + b.coordination().key().origin()
            + "); each would drop the other's adverts as forged");
      }
    } finally {
      java.util.Arrays.fill(keyA, (byte) 0);
      java.util.Arrays.fill(keyB, (byte) 0);
    }
  }

  /** x's peers entry for y must point at y's advert listener and y's Redis as y announces it. */
  private static void peerEntry(Node x, Node y, List<String> out) {
    List<PeerConfig> peers = x.config().peers();
    String id = y.config().nodeId();
    Optional<Integer> index = indexOf(peers, id);
    if (index.isEmpty()) {
      out.add(x.file() + ": peers: no entry for node " + id + " (" + y.file() + "); each node must list"
          + " every other node of the group");
      return;
    }
    PeerConfig p = peers.get(index.get());
    String field = x.file() + ": peers[" + index.get() + "]";
    HostPort listen = y.config().coordination().listen();
    if (!sameAddress(p.advert(), listen)) {
      out.add(field + ".advert_address is " + p.advert() + " but " + y.file() + "'s coordination.listen is "
          + listen);
    }
    HostPort announce = y.config().redis().announce();
    if (!p.redis().equals(announce)) {
      out.add(field + ".redis is " + p.redis() + " but " + y.file() + "'s Redis is announced at " + announce
          + " (redis.announce_host/announce_port, else redis.host/port)");
    }
  }

  /** A listener bound to a wildcard address is reachable at any of its host's addresses. */
  private static boolean sameAddress(HostPort target, HostPort listen) {
    boolean wildcard = listen.host().equals("0.0.0.0") || listen.host().equals("::");
    return wildcard ? target.port() == listen.port() : target.equals(listen);
  }

  private static Optional<Integer> indexOf(List<PeerConfig> peers, String nodeId) {
    for (int i = 0; i < peers.size(); i++) {
      if (peers.get(i).nodeId().equals(nodeId)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
