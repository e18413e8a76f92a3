package dev.redisha.endpoint.sentinel;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import dev.redisha.testsupport.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Two real redis-servers on loopback sharing a random password: A starts as master, B as its
 * replica (set with REPLICAOF, as an agent would). Closing kills both, whatever happened.
 */
final class RedisPair implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(15);

  final Secret password = randomSecret("redis password");
  final HostPort a = new HostPort("127.0.0.1", freeTcpPort());
  final HostPort b = new HostPort("127.0.0.1", freeTcpPort());
  private final List<RedisServerProcess> processes = new ArrayList<>();

  private RedisPair() {}

  static RedisPair start(Path dir) {
    RedisPair pair = new RedisPair();
    try {
      pair.launch(pair.a, dir.resolve("a"));
      pair.launch(pair.b, dir.resolve("b"));
      pair.makeMaster(pair.a, pair.b);
      return pair;
    } catch (RuntimeException | Error e) {
      pair.close();
      throw e;
    }
  }

  private void launch(HostPort address, Path dataDir) {
    // No 5 s wait for more replicas before the first full sync.
    RedisLaunch launch = new RedisLaunch(address, dataDir, Optional.of(password), Optional.empty(),
        Optional.empty(), List.of("--repl-diskless-sync-delay", "0"));
    processes.add(RedisServerProcess.start(RedisBinary.locate(Optional.empty()), launch));
    Await.until("redis-server " + address + " answers PING", WAIT, () -> ping(address));
  }

  /** Makes {@code master} a master and {@code replica} its replica, and waits for the link. */
  void makeMaster(HostPort master, HostPort replica) {
    try (Jedis m = connect(master); Jedis r = connect(replica)) {
      m.replicaofNoOne();
      r.replicaof(master.host(), master.port());
    }
    Await.until(replica + " replicates " + master, WAIT, () -> {
      try (Jedis r = connect(replica)) {
        return r.info("replication").contains("master_link_status:up");
      } catch (JedisException e) {
        return false;
      }
    });
  }

  Jedis connect(HostPort address) {
    return new Jedis(new HostAndPort(address.host(), address.port()),
        DefaultJedisClientConfig.builder()
            .password(password.text())
            .connectionTimeoutMillis(2000)
            .socketTimeoutMillis(2000)
            .build());
  }

  String get(HostPort address, String key) {
    try (Jedis j = connect(address)) {
      return j.get(key);
    }
  }

  boolean isMaster(HostPort address) {
    try (Jedis j = connect(address)) {
      return j.info("replication").contains("role:master");
    }
  }

  private boolean ping(HostPort address) {
    try (Jedis j = connect(address)) {
      return "PONG".equals(j.ping());
    } catch (JedisException e) {
      return false;
    }
  }

  @Override
  public void close() {
    for (RedisServerProcess p : processes) {
      p.kill();
    }
  }

  static Secret randomSecret(String origin) {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return new Secret(HexFormat.of().formatHex(bytes).getBytes(StandardCharsets.UTF_8), origin);
  }

  static int freeTcpPort() {
    return dev.redisha.redis.FreePorts.tcp();
  }
}
