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
   * A connected client and, over plain TCP, its connection as a channel: a watcher can wait on it
   * between commands with a {@link java.nio.channels.Selector}, which wakes as soon as the server
   * closes it and also when another thread calls {@link java.nio.channels.Selector#wakeup} (a
   * blocked socket read wakes for neither the latter nor an interrupt). No channel with TLS, whose
   * records a raw read would take from the client.
   *
   * @param channel the connection's channel, in blocking mode; null with TLS
   */
  public record Watched(Jedis jedis, java.nio.channels.SocketChannel channel) {}

  /** As {@link #connect}, keeping the channel where there is one to watch. */
  public Watched connectWatched(HostPort target, int timeoutMs) {
    if (tls.isPresent()) {
      return new Watched(connect(target, timeoutMs), null);
    }
    redis.clients.jedis.JedisClientConfig config = clientConfig(timeoutMs);
    java.util.concurrent.atomic.AtomicReference<java.nio.channels.SocketChannel> made =
        new java.util.concurrent.atomic.AtomicReference<>();
    // The client connects and authenticates in its constructor.
    Jedis jedis = new Jedis(() -> {
      java.nio.channels.SocketChannel ch = ChannelSockets.connect(target, timeoutMs);
      made.set(ch);
      return ch.socket();
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
