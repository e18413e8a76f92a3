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

      // Frozen (SIGSTOP): no answer, counted probe by probe, each after its full timeout. Its
      // kernel still completes TCP handshakes, so it is never taken for an unreachable host.
      redis.signal("STOP");
      try {
        Await.until("one probe without an answer", Duration.ofSeconds(5),
            () -> watch.latest().get("p").failuresInRow() >= 1);
        assertEquals(PeerRedisProbe.Outcome.NO_ANSWER, watch.latest().get("p").outcome(),
            "a frozen Redis whose host answers is a missed answer, not an unreachable host");
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
  void betweenProbesACrashAndAProbeRequestEndTheWaitAtOnce() throws Exception {
    // An interval far longer than the deadlines below: whatever is seen before them was seen
    // because the wait between probes woke, not because the next probe fell due.
    HostPort addr = new HostPort("127.0.0.1", FreePorts.tcp());
    RedisLaunch launch = new RedisLaunch(addr, dir.resolve("redis"), Optional.of(PASSWORD), Optional.empty(),
        Optional.empty(), List.of());
    try (RedisServerProcess redis = RedisServerProcess.start(RedisBinary.locate(Optional.empty()), launch);
        PeerRedisWatch watch = new PeerRedisWatch(new RedisConnector(Optional.empty(), Optional.of(PASSWORD), Optional.empty()),
            List.of(new PeerConfig("p", new HostPort("127.0.0.1", 1), addr, Optional.empty())),
            new HealthConfig(60_000, 200, 3), () -> { }, () -> System.nanoTime() / 1_000_000)) {
      // The first probe runs at start; the next would only after the interval.
      Await.until("the server answers", Duration.ofSeconds(10), () -> answers(addr));
      watch.start();
      Await.until("answers as master", Duration.ofSeconds(5), () -> watch.latest().get("p").answersAsMaster());

      // A requested probe (a FAULT advert, a silence) runs now, not at the end of the interval.
      long before = watch.latest().get("p").checkedAtMillis();
      watch.requestProbe("p");
      Await.until("the requested probe ran", Duration.ofSeconds(5),
          () -> watch.latest().get("p").checkedAtMillis() > before);
      assertTrue(watch.latest().get("p").answersAsMaster());

      // Killed: its kernel closes the idle kept connection, which ends the wait, and the probe
      // that follows is refused.
      redis.kill();
      Await.until("refused", Duration.ofSeconds(5),
          () -> watch.latest().get("p").outcome() == PeerRedisProbe.Outcome.REFUSED);
    }
  }

  @Test
  void anAddressWhereNoHandshakeCompletesIsUnreachableAfterOneProbe() throws Exception {
    // A listener whose accept queue is full drops every further SYN, as a host that is gone
    // does: neither the probe nor the handshake beside it gets an answer.
    try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      HostPort addr = new HostPort("127.0.0.1", full.getLocalPort());
      List<java.net.Socket> queued = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          java.net.Socket s = new java.net.Socket();
          try {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", addr.port()), 200);
            queued.add(s);
          } catch (java.io.IOException e) {
            s.close();
            break;
          }
        }
        try (PeerRedisWatch watch = new PeerRedisWatch(new RedisConnector(Optional.empty(), Optional.of(PASSWORD), Optional.empty()),
            List.of(new PeerConfig("p", new HostPort("127.0.0.1", 1), addr, Optional.empty())),
            new HealthConfig(50, 200, 3), () -> { }, () -> System.nanoTime() / 1_000_000)) {
          watch.start();
          Await.until("a probe without an answer", Duration.ofSeconds(10),
              () -> watch.latest().get("p").failuresInRow() >= 1);
          PeerRedisProbe first = watch.latest().get("p");
          assertEquals(PeerRedisProbe.Outcome.UNREACHABLE, first.outcome(), first.describe());
          assertTrue(first.unreachable(2), "unreachable counts as evidence after one probe");
        }
      } finally {
        for (java.net.Socket s : queued) {
          s.close();
        }
      }
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

  private static boolean answers(HostPort hp) {
    try (Jedis j = jedis(hp)) {
      return "PONG".equals(j.ping());
    } catch (redis.clients.jedis.exceptions.JedisException notYet) {
      return false;
    }
  }

  private static Jedis jedis(HostPort hp) {
    return new Jedis(new HostAndPort(hp.host(), hp.port()),
        DefaultJedisClientConfig.builder().password(new String(PASSWORD.bytes(), StandardCharsets.UTF_8))
            .socketTimeoutMillis(10_000).build());
  }
}
