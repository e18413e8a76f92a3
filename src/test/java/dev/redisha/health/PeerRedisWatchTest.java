package dev.redisha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HealthConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.PeerConfig;
import dev.redisha.config.Secret;
import dev.redisha.redis.FreePorts;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import dev.redisha.testsupport.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** What this agent's own probes tell about a peer's Redis, against a real redis-server. */
class PeerRedisWatchTest {
  private static final Secret PASSWORD = new Secret("watch-test-pw".getBytes(StandardCharsets.UTF_8), "test");
  @TempDir Path dir;

  @Test
  void answersBusyFrozenAndKilledAreToldApart() throws Exception {
    HostPort addr = new HostPort("127.0.0.1", FreePorts.tcp());
    RedisLaunch launch = new RedisLaunch(addr, dir.resolve("redis"), Optional.of(PASSWORD), Optional.empty(),
        Optional.empty(), List.of("--busy-reply-threshold", "100"));
    try (RedisServerProcess redis = RedisServerProcess.start(RedisBinary.locate(Optional.empty()), launch);
        PeerRedisWatch watch = new PeerRedisWatch(new RedisConnector(Optional.empty(), Optional.of(PASSWORD), Optional.empty()),
            List.of(new PeerConfig("p", new HostPort("127.0.0.1", 1), addr, Optional.empty())),
            new HealthConfig(50, 200, 3), () -> { }, () -> System.nanoTime() / 1_000_000)) {
      watch.start();
      Await.until("answers as master", Duration.ofSeconds(10), () -> watch.latest().get("p").answersAsMaster());

      // A script past busy-reply-threshold: alive, not down.
      CompletableFuture<Object> script = CompletableFuture.supplyAsync(() -> {
        try (Jedis j = jedis(addr)) {
          return j.eval("local t = redis.call('TIME') local s = t[1] + 3 while true do local n = redis.call('TIME') "
              + "if n[1] + 0 >= s then break end end return 1");
        }
      });
      Await.until("busy", Duration.ofSeconds(5), () -> watch.latest().get("p").outcome() == PeerRedisProbe.Outcome.BUSY);
      assertTrue(watch.latest().get("p").alive());
      script.get();
      Await.until("answers again", Duration.ofSeconds(5), () -> watch.latest().get("p").answersAsMaster());

      // Frozen (SIGSTOP): no answer, counted probe by probe, each after its full timeout.
      redis.signal("STOP");
      try {
        Await.until("two probes without an answer", Duration.ofSeconds(5),
            () -> watch.latest().get("p").unreachable(2));
        assertEquals(PeerRedisProbe.Outcome.NO_ANSWER, watch.latest().get("p").outcome());
      } finally {
        redis.signal("CONT");
      }
      Await.until("answers after SIGCONT", Duration.ofSeconds(5), () -> watch.latest().get("p").answersAsMaster());

      // Killed: the kept connection breaks and the fresh one is refused, within one probe.
      redis.kill();
      Await.until("refused", Duration.ofSeconds(5),
          () -> watch.latest().get("p").outcome() == PeerRedisProbe.Outcome.REFUSED);
    }
  }

  @Test
  void aConnectTimeoutReportedAsASuppressedErrorCountsAsNoAnswerAtOnce() {
    // Jedis 5 reports "Failed to connect to host:port." with each address's error suppressed; a
    // host that is gone must count as one missed answer, not trigger a second connect attempt.
    var failed = new redis.clients.jedis.exceptions.JedisConnectionException("Failed to connect to 198.18.0.1:6379.");
    failed.addSuppressed(new java.net.SocketTimeoutException("Connect timed out"));
    assertTrue(PeerRedisWatch.timedOut(failed));
    assertTrue(!PeerRedisWatch.timedOut(new redis.clients.jedis.exceptions.JedisConnectionException("Unexpected end of stream.")));
  }

  private static Jedis jedis(HostPort hp) {
    return new Jedis(new HostAndPort(hp.host(), hp.port()),
        DefaultJedisClientConfig.builder().password(new String(PASSWORD.bytes(), StandardCharsets.UTF_8))
            .socketTimeoutMillis(10_000).build());
  }
}
