package dev.redisha.endpoint.proxy;

import dev.redisha.config.HostPort;
import java.time.Duration;
import java.util.Objects;

/**
 * How the proxy runs.
 *
 * @param listen where clients connect; port 0 picks a free port ({@link RedisProxy#listenAddress()}
 *     tells which)
 * @param masterWait how long a client that connects while there is no master is held, unread,
 *     before it is closed (a failover usually ends well within it)
 * @param connectTimeout how long opening a connection to the master may take
 * @param ioThreads event loop threads for the relay; each client and its backend share one
 * @param transport the socket layer (epoll, else NIO, by default: {@link NetTransport#best()})
 * @param unauthenticatedTimeout how long a client may go without a successful reply before it is
 *     closed; zero turns this off. Only for a Redis with a password, where every command but
 *     {@code AUTH}/{@code HELLO} fails until the client authenticates: the first successful reply
 *     is what proves it did (whatever user, whichever command)
 * @param idleTimeout how long a connection may see no traffic either way before it is closed, as
 *     Redis' own {@code timeout}; zero (the default) turns it off. Like Redis it spares
 *     subscribers, MONITOR and clients waiting for a reply (a blocking command)
 */
public record ProxyOptions(
    HostPort listen, Duration masterWait, Duration connectTimeout, int ioThreads, NetTransport transport,
    Duration unauthenticatedTimeout, Duration idleTimeout) {
  public static final Duration DEFAULT_MASTER_WAIT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);

  public ProxyOptions {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(unauthenticatedTimeout, "unauthenticatedTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (unauthenticatedTimeout.isNegative() || idleTimeout.isNegative()) {
      throw new IllegalArgumentException("timeouts must not be negative, got " + unauthenticatedTimeout
          + " and " + idleTimeout);
    }
    if (masterWait.isNegative()) {
      throw new IllegalArgumentException("masterWait must not be negative, got " + masterWait);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero() || connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1, got " + ioThreads);
    }
  }

  /** Without the client timeouts, as before they existed. */
  public ProxyOptions(
      HostPort listen, Duration masterWait, Duration connectTimeout, int ioThreads, NetTransport transport) {
    this(listen, masterWait, connectTimeout, ioThreads, transport, Duration.ZERO, Duration.ZERO);
  }

  /** Two-second master wait, one-second connect timeout, one I/O thread per core, the default transport. */
  public static ProxyOptions defaults(HostPort listen) {
    return new ProxyOptions(listen, DEFAULT_MASTER_WAIT, DEFAULT_CONNECT_TIMEOUT,
        Runtime.getRuntime().availableProcessors(), NetTransport.best());
  }

  public ProxyOptions withMasterWait(Duration wait) {
    return new ProxyOptions(listen, wait, connectTimeout, ioThreads, transport, unauthenticatedTimeout, idleTimeout);
  }

  public ProxyOptions withIoThreads(int threads) {
    return new ProxyOptions(listen, masterWait, connectTimeout, threads, transport, unauthenticatedTimeout, idleTimeout);
  }

  public ProxyOptions withTransport(NetTransport t) {
    return new ProxyOptions(listen, masterWait, connectTimeout, ioThreads, t, unauthenticatedTimeout, idleTimeout);
  }

  public ProxyOptions withUnauthenticatedTimeout(Duration timeout) {
    return new ProxyOptions(listen, masterWait, connectTimeout, ioThreads, transport, timeout, idleTimeout);
  }

  public ProxyOptions withIdleTimeout(Duration timeout) {
    return new ProxyOptions(listen, masterWait, connectTimeout, ioThreads, transport, unauthenticatedTimeout, timeout);
  }
}
