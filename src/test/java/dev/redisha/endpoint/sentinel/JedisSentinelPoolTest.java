package dev.redisha.endpoint.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.endpoint.MasterView;
import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.ExpectedJedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.JedisSentinelPool;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real {@link JedisSentinelPool}, created once, follows a failover and a failback announced by
 * the endpoint: it learns the master from {@code get-master-addr-by-name}, then moves on the
 * {@code +switch-master} message its listener thread subscribed to.
 */
class JedisSentinelPoolTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final HostPort ANY_PORT = new HostPort("127.0.0.1", 0);

  @BeforeAll
  static void theExpectedJedisIsLoaded() {
    ExpectedJedis.isLoaded();
  }

  @Test
  void poolFollowsFailoverAndFailbackWithoutRestart(@TempDir Path dir) {
    try (RedisPair redis = RedisPair.start(dir);
        SentinelEndpoint endpoint =
            SentinelEndpoint.start(ANY_PORT, "mymaster", "node-a", Optional.empty(), List.of())) {
      followsFailoverAndFailback(redis, endpoint, Optional.empty(),
          sentinels -> new JedisSentinelPool("mymaster", sentinels, poolConfig(), 2000,
              redis.password.text()));
    }
  }

  @Test
  void poolAuthenticatesToAPasswordProtectedEndpoint(@TempDir Path dir) {
    Secret sentinelPassword = RedisPair.randomSecret("sentinel password");
    try (RedisPair redis = RedisPair.start(dir);
        SentinelEndpoint endpoint = SentinelEndpoint.start(
            ANY_PORT, "mymaster", "node-a", Optional.of(sentinelPassword), List.of())) {
      followsFailoverAndFailback(redis, endpoint, Optional.of(sentinelPassword),
          sentinels -> new JedisSentinelPool("mymaster", sentinels, poolConfig(),
              2000, 2000, null, redis.password.text(), 0, "app",
              2000, 2000, null, sentinelPassword.text(), "app-sentinel"));
      assertEquals(0, endpoint.authFailures());
    }
  }

  private static void followsFailoverAndFailback(RedisPair redis, SentinelEndpoint endpoint,
      Optional<Secret> sentinelPassword, Function<Set<String>, JedisSentinelPool> newPool) {
    endpoint.update(view(1, redis.a, redis.b));
    try (JedisSentinelPool pool = newPool.apply(Set.of(endpoint.address().toString()))) {
      assertEquals(hostAndPort(redis.a), pool.getCurrentHostMaster());
      // The pool's listener thread subscribes after start; a switch before that would be missed
      // by any Sentinel client, so wait until it listens.
      Await.until("Jedis' master listener subscribed to +switch-master", WAIT,
          () -> stats(endpoint, sentinelPassword).contains("pubsub_channels:1"));
      assertTrue(write(pool, "before-failover", "a"));
      assertEquals("a", redis.get(redis.a, "before-failover"));

      // Like an agent, promote only a replica that has caught up.
      awaitReplicated(redis, redis.b, "before-failover", "a");
      redis.makeMaster(redis.b, redis.a);
      endpoint.update(view(2, redis.b, redis.a));
      awaitPoolWritesTo(pool, redis, redis.b, "after-failover");
      assertEquals("a", redis.get(redis.b, "before-failover"), "B has A's data");

      awaitReplicated(redis, redis.a, "after-failover", redis.b.toString());
      redis.makeMaster(redis.a, redis.b);
      endpoint.update(view(3, redis.a, redis.b));
      awaitPoolWritesTo(pool, redis, redis.a, "after-failback");
      assertEquals("a", redis.get(redis.a, "before-failover"));
    }
  }

  private static void awaitPoolWritesTo(
      JedisSentinelPool pool, RedisPair redis, HostPort master, String key) {
    Await.until("the pool hands out connections to " + master, WAIT,
        () -> hostAndPort(master).equals(pool.getCurrentHostMaster())
            && write(pool, key, master.toString()));
    assertEquals(master.toString(), redis.get(master, key), "the write landed on " + master);
    assertTrue(redis.isMaster(master));
  }

  private static void awaitReplicated(RedisPair redis, HostPort replica, String key, String value) {
    Await.until(replica + " has " + key, WAIT, () -> value.equals(redis.get(replica, key)));
  }

  /** A write through a pooled connection; false while the pool still points at a replica. */
  private static boolean write(JedisSentinelPool pool, String key, String value) {
    try (Jedis jedis = pool.getResource()) {
      return "OK".equals(jedis.set(key, value));
    } catch (JedisException e) {
      return false;
    }
  }

  private static String stats(SentinelEndpoint endpoint, Optional<Secret> password) {
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000).socketTimeoutMillis(2000);
    password.ifPresent(p -> config.password(p.text()));
    HostPort address = endpoint.address();
    try (Jedis jedis = new Jedis(new HostAndPort(address.host(), address.port()), config.build())) {
      return jedis.info("stats");
    }
  }

  static MasterView view(long epoch, HostPort master, HostPort replica) {
    return new MasterView(epoch, Optional.of("node-" + master.port()), Optional.of(master),
        List.of(replica), false);
  }

  private static HostAndPort hostAndPort(HostPort address) {
    return new HostAndPort(address.host(), address.port());
  }

  private static JedisPoolConfig poolConfig() {
    JedisPoolConfig config = new JedisPoolConfig();
    config.setMaxTotal(4);
    config.setMaxWait(Duration.ofSeconds(2));
    return config;
  }
}
