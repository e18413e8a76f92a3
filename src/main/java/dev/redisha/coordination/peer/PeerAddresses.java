package dev.redisha.coordination.peer;

import dev.redisha.config.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says which configured peer an unauthenticated datagram most likely came from, so that MAC
 * failures can be reported per peer. A peer's agent sends from the socket it listens on, so its
 * datagrams come from its {@code advert_address}; in order:
 *
 * <ol>
 *   <li>the address the peer's last authentic advert came from (covers NAT and a peer bound to a
 *       wildcard address, once it was ever heard with the right key);
 *   <li>the configured advert address, resolved once at start;
 *   <li>the configured host alone, when exactly one peer has that IP (a NAT that rewrites the
 *       source port).
 * </ol>
 *
 * Anything else (a NAT that also rewrites the IP, before any authentic advert) is not attributed:
 * it is still counted as BAD_MAC and logged with its source, just not named as a peer's.
 */
final class PeerAddresses {
  private final Map<String, InetSocketAddress> configured = new LinkedHashMap<>();
  private final Map<String, InetSocketAddress> learned = new ConcurrentHashMap<>();

  PeerAddresses(Map<String, HostPort> advertAddresses) {
    advertAddresses.forEach(
        (id, hp) -> {
          try {
            // Once: a DNS lookup per bad datagram would let a flood cost lookups.
            configured.put(id, new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port()));
          } catch (UnknownHostException e) {
            // Not resolvable now: rule 1 still applies once the peer is heard.
          }
        });
  }

  /** Notes where an authentic advert of the peer came from. */
  void heard(String nodeId, InetSocketAddress source) {
    learned.put(nodeId, source);
  }

  Optional<String> attribute(InetSocketAddress source) {
    for (Map.Entry<String, InetSocketAddress> e : learned.entrySet()) {
      if (e.getValue().equals(source)) {
        return Optional.of(e.getKey());
      }
    }
    for (Map.Entry<String, InetSocketAddress> e : configured.entrySet()) {
      if (e.getValue().equals(source)) {
        return Optional.of(e.getKey());
      }
    }
    String byHost = null;
    for (Map.Entry<String, InetSocketAddress> e : configured.entrySet()) {
      if (e.getValue().getAddress().equals(source.getAddress())) {
        if (byHost != null) {
          return Optional.empty();
        }
        byHost = e.getKey();
      }
    }
    return Optional.ofNullable(byHost);
  }
}
