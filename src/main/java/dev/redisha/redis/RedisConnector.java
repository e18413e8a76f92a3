package dev.redisha.redis;

import dev.redisha.config.HostPort;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.Secret;
import dev.redisha.config.TlsConfig;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Opens connections to the Redis servers of the group with one set of credentials. The group
 * shares one password (it is also every replica's {@code masterauth}), so the same connector
 * reaches the local Redis and the peers' Redis servers (for fencing and direct checks).
 */
public final class RedisConnector {
  private final Optional<String> user;
  private final Optional<Secret> password;
  private final Optional<SSLSocketFactory> tls;

  public RedisConnector(Optional<String> user, Optional<Secret> password, Optional<TlsConfig> tls) {
    this.user = user;
    this.password = password;
    this.tls = tls.map(TlsSocketFactories::fromPem);
  }

  public static RedisConnector of(RedisConfig redis) {
    return new RedisConnector(redis.user(), redis.password(), redis.tls());
  }

  public Optional<Secret> password() {
    return password;
  }

  public Optional<String> user() {
    return user;
  }

  /** Whether the group's Redis servers speak TLS (then replicas must replicate over TLS too). */
  public boolean usesTls() {
    return tls.isPresent();
  }

  /**
   * A connected client. Both timeouts are explicit: a frozen Redis must cost a probe at most
   * {@code timeoutMs}, never a hang.
   *
   * @throws redis.clients.jedis.exceptions.JedisException when it cannot connect or authenticate
   */
  public Jedis connect(HostPort target, int timeoutMs) {
    Jedis jedis = new Jedis(new HostAndPort(target.host(), target.port()), clientConfig(timeoutMs));
    try {
      jedis.getConnection().connect();
      return jedis;
    } catch (RuntimeException e) {
      jedis.close();
      throw e;
    }
  }

  /**
   * A connected client and, over plain TCP, its socket: a watcher can wait on the socket between
   * commands and learn at once that the server closed it (no socket with TLS, whose records a raw
   * read would take from the client).
   *
   * @param socket the connection's socket; null with TLS
   */
  public record Watched(Jedis jedis, java.net.Socket socket) {}

  /** As {@link #connect}, keeping the socket where there is one to watch. */
  public Watched connectWatched(HostPort target, int timeoutMs) {
    if (tls.isPresent()) {
      return new Watched(connect(target, timeoutMs), null);
    }
    redis.clients.jedis.JedisClientConfig config = clientConfig(timeoutMs);
    redis.clients.jedis.DefaultJedisSocketFactory sockets =
        new redis.clients.jedis.DefaultJedisSocketFactory(new HostAndPort(target.host(), target.port()), config);
    java.util.concurrent.atomic.AtomicReference<java.net.Socket> made = new java.util.concurrent.atomic.AtomicReference<>();
    // The client connects and authenticates in its constructor.
    Jedis jedis = new Jedis(() -> {
      java.net.Socket s = sockets.createSocket();
      made.set(s);
      return s;
    }, config);
    try {
      jedis.getConnection().connect();
      return new Watched(jedis, made.get());
    } catch (RuntimeException e) {
      jedis.close();
      throw e;
    }
  }

  private redis.clients.jedis.JedisClientConfig clientConfig(int timeoutMs) {
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(timeoutMs)
            .socketTimeoutMillis(timeoutMs)
            .clientName("redis-ha");
    user.ifPresent(config::user);
    password.ifPresent(p -> config.password(p.text()));
    tls.ifPresent(f -> config.ssl(true).sslSocketFactory(f));
    return config.build();
  }
}
