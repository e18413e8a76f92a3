package dev.redisha.config;

import java.util.List;
import java.util.Optional;

/**
 * How clients reach the master (DESIGN §5); each endpoint is optional and several may run at once.
 *
 * @param vip a virtual IP that follows the master (needs CAP_NET_ADMIN and CAP_NET_RAW)
 * @param proxy a TCP proxy that forwards to the master (no root needed)
 * @param sentinel a Sentinel-compatible discovery port for Sentinel-aware clients
 */
public record EndpointsConfig(Optional<Vip> vip, Optional<Proxy> proxy, Optional<Sentinel> sentinel) {

  public static EndpointsConfig none() {
    return new EndpointsConfig(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * @param address the VIP, e.g. 198.18.0.100
   * @param prefixLength its prefix length on the interface, e.g. 24
   * @param device the network interface to put it on
   * @param arpingCount gratuitous ARP announcements sent after taking the address
   * @param arpingIntervalMs time between announcements
   */
  public record Vip(String address, int prefixLength, String device, int arpingCount, long arpingIntervalMs) {}

  /**
   * @param listen where clients connect
   * @param noMasterHoldMs how long a new client connection waits for a master before it is closed
   * @param transport the socket layer: {@code auto} (epoll on Linux, else nio), {@code io_uring},
   *     {@code epoll} or {@code nio}
   * @param unauthenticatedTimeoutMs when Redis has a password: how long a client may go without
   *     authenticating before it is closed; 0 turns it off
   * @param idleTimeoutMs how long a connection may be silent before it is closed, as Redis'
   *     {@code timeout}; 0 (the default) turns it off
   */
  public record Proxy(HostPort listen, long noMasterHoldMs, String transport, long unauthenticatedTimeoutMs,
      long idleTimeoutMs) {
    public static final List<String> TRANSPORTS = List.of("auto", "io_uring", "epoll", "nio");
    /**
     * Clients log in with their first command; ten seconds covers a slow client on a busy
     * network many times over, yet frees a Redis connection slot (the proxy opens one per
     * client) well before idle sockets could reach Redis' maxclients at any plausible rate.
     */
    public static final long DEFAULT_UNAUTHENTICATED_TIMEOUT_MS = 10_000;

    public Proxy(HostPort listen, long noMasterHoldMs, String transport) {
      this(listen, noMasterHoldMs, transport, DEFAULT_UNAUTHENTICATED_TIMEOUT_MS, 0);
    }

    public Proxy(HostPort listen, long noMasterHoldMs) {
      this(listen, noMasterHoldMs, "auto");
    }
  }

  /**
   * @param listen where Sentinel clients connect
   * @param masterName the name clients ask for (defaults to the group name)
   * @param peers the other agents' Sentinel endpoints by node id, reported by {@code SENTINEL
   *     sentinels}
   * @param idleTimeoutMs a connection that is not subscribed and sends nothing for this long is
   *     closed, so idle or abandoned sockets cannot use up the endpoint's client slots
   */
  public record Sentinel(HostPort listen, String masterName, java.util.Map<String, HostPort> peers,
      long idleTimeoutMs) {
    /**
     * 30 s: far longer than any Sentinel client waits between connecting and its first command
     * or between the queries of one discovery (subscribers are never idle: they wait for
     * events), and short enough that a flood of idle sockets drains within half a minute.
     */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;

    public Sentinel {
      peers = java.util.Map.copyOf(peers);
    }

    public Sentinel(HostPort listen, String masterName, java.util.Map<String, HostPort> peers) {
      this(listen, masterName, peers, DEFAULT_IDLE_TIMEOUT_MS);
    }
  }
}
