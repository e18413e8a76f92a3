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
 */
public record ProxyOptions(
    HostPort listen, Duration masterWait, Duration connectTimeout, int ioThreads, NetTransport transport) {
  public static final Duration DEFAULT_MASTER_WAIT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);

  public ProxyOptions {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(transport, "transport");
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

  /** Two-second master wait, one-second connect timeout, one I/O thread per core, the default transport. */
  public static ProxyOptions defaults(HostPort listen) {
    return new ProxyOptions(listen, DEFAULT_MASTER_WAIT, DEFAULT_CONNECT_TIMEOUT,
        Runtime.getRuntime().availableProcessors(), NetTransport.best());
  }

  public ProxyOptions withMasterWait(Duration wait) {
    return new ProxyOptions(listen, wait, connectTimeout, ioThreads, transport);
  }

  public ProxyOptions withIoThreads(int threads) {
    return new ProxyOptions(listen, masterWait, connectTimeout, threads, transport);
  }

  public ProxyOptions withTransport(NetTransport t) {
    return new ProxyOptions(listen, masterWait, connectTimeout, ioThreads, t);
  }
}
