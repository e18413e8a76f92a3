package dev.redisha.it;

import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.testsupport.Await;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceVersion;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One crash failover seen by Lettuce's {@code MasterReplica} given only the agents' Sentinel
 * endpoints (a Sentinel URI, RESP3): a writer SETs one key at a time while node a's Redis is
 * SIGKILLed; a's agent restarts it as a replica. Shared by {@link LettuceSentinelFailoverTest}
 * and {@link LettuceFailoverBenchmark}.
 *
 * <p>Lettuce learns of a failover only by refreshing its topology from the Sentinels, and it
 * schedules that refresh 5 s after the first event that asks for one (its {@code
 * SentinelTopologyRefresh.TimedSemaphore}, in 6.x and 7.x alike); until then it reconnects to the
 * address it had, the old master's, which answers READONLY once it is back as a replica.
 */
final class LettuceFailoverTrial {
  /** How the group gets its master back after the crash. */
  enum Shape {
    /** a is preferred (priority 150): once back and in sync it takes the role back from b. */
    FAILBACK,
    /** Equal priorities: b stays master, so Lettuce must find it through the endpoints. */
    STAYS_ON_B
  }

  /**
   * What the client saw. "a" is the master that was killed, "b" the other node.
   *
   * @param lettuceVersion the Lettuce actually loaded
   * @param readonlyMs from the first READONLY reply to the last, 0 if none
   * @param longestGapMs the longest time between two acknowledged writes around the failover
   * @param finalPortOk whether Lettuce's writes ended at the agents' master
   */
  record Result(String lettuceVersion, Shape shape, int acked, int readonly, long readonlyMs,
      int otherErrors, long longestGapMs, int clientPort, int masterPort, boolean finalPortOk) {
    String line() {
      return String.format(java.util.Locale.ROOT,
          "lettuce %s %s: acked %d, READONLY replies %d over %d ms, longest gap between acks %d ms,"
              + " other errors %d (timeouts, connection refused while a's Redis was down),"
              + " writes end at port %d, agents' master %d",
          lettuceVersion, shape, acked, readonly, readonlyMs, longestGapMs, otherErrors, clientPort,
          masterPort);
    }
  }

  private static final int MAX_WRITES = 5_000_000;

  private LettuceFailoverTrial() {}

  static String lettuceVersion() {
    return String.valueOf(LettuceVersion.getVersion());
  }

  static Result run(Path dir, Shape shape) throws Exception {
    HostPort sentinelA = TestGroup.loopback(TestGroup.freeTcpPort());
    HostPort sentinelB = TestGroup.loopback(TestGroup.freeTcpPort());
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> tweak(c, shape, sentinelA, sentinelB))) {
      g.nodes().forEach(TestNode::startAgent);
      // With equal priorities either node may win the first election: "a" is whichever did.
      Await.until("a master", Duration.ofSeconds(20), () -> g.masterByAgents().isPresent());
      TestNode a = shape == Shape.FAILBACK ? g.node("a") : g.masterByAgents().orElseThrow();
      TestNode b = g.nodes().stream().filter(n -> n != a).findFirst().orElseThrow();
      Scenarios.awaitSteadyPair(g, a, b);
      RedisURI uri = RedisURI.Builder.sentinel(sentinelA.host(), sentinelA.port(), "mymaster")
          .withSentinel(sentinelB.host(), sentinelB.port())
          .withPassword(a.config.redis().password().orElseThrow().text().toCharArray())
          .withTimeout(Duration.ofSeconds(2))
          .build();
      RedisClient client = RedisClient.create();
      client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger acked = new AtomicInteger();
      AtomicInteger readonly = new AtomicInteger();
      AtomicInteger otherErrors = new AtomicInteger();
      AtomicLong firstReadonly = new AtomicLong();
      AtomicLong lastReadonly = new AtomicLong();
      AtomicLong longestGap = new AtomicLong();
      try (StatefulRedisMasterReplicaConnection<String, String> conn =
          MasterReplica.connect(client, StringCodec.UTF8, uri)) {
        conn.setReadFrom(ReadFrom.UPSTREAM);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Thread writer = new Thread(() -> {
          long lastAck = System.nanoTime();
          for (int i = 0; running.get() && i < MAX_WRITES && System.nanoTime() < deadline; i++) {
            try {
              conn.sync().set("k" + i, "v" + i);
              long now = System.nanoTime();
              longestGap.accumulateAndGet((now - lastAck) / 1_000_000, Math::max);
              lastAck = now;
              acked.incrementAndGet();
            } catch (RuntimeException e) {
              if (String.valueOf(e.getMessage()).startsWith("READONLY")) {
                long now = System.nanoTime();
                firstReadonly.compareAndSet(0, now);
                lastReadonly.set(now);
                readonly.incrementAndGet();
              } else {
                otherErrors.incrementAndGet();
              }
            }
          }
        }, "lettuce-writer");
        writer.start();
        try {
          Await.until("writes through Lettuce", Duration.ofSeconds(20), () -> acked.get() >= 500);
          long killedAt = System.nanoTime();
          a.redisProcess().kill();
          Await.until("b promoted", Duration.ofSeconds(15), b::isMasterAgent);
          Await.until("a's Redis back as a replica", Duration.ofSeconds(20),
              () -> a.info().map(i -> !i.isMaster() && i.masterLinkUp()).orElse(false));
          if (shape == Shape.FAILBACK) {
            Await.until("a takes the role back", Duration.ofSeconds(20), a::isMasterAgent);
          }
          // Past Lettuce's 5 s refresh delay (plus its refresh), writes must go on.
          int before = acked.get();
          Await.until("writes continue after the failover", Duration.ofSeconds(30),
              () -> acked.get() >= before + 500 && System.nanoTime() - killedAt > 8_000_000_000L
                  && System.nanoTime() - lastReadonly.get() > 1_000_000_000L);
        } finally {
          running.set(false);
          writer.join(10_000);
        }
        long readonlyMs = readonly.get() == 0 ? 0 : (lastReadonly.get() - firstReadonly.get()) / 1_000_000;
        int clientPort = conn.sync().info("server").lines().filter(l -> l.startsWith("tcp_port:"))
            .map(l -> Integer.parseInt(l.substring(9).trim())).findFirst().orElse(-1);
        int masterPort = g.masterRedis().map(HostPort::port).orElse(-2);
        return new Result(lettuceVersion(), shape, acked.get(), readonly.get(), readonlyMs,
            otherErrors.get(), longestGap.get(), clientPort, masterPort, clientPort == masterPort);
      } finally {
        client.shutdown();
      }
    }
  }

  private static NodeConfig tweak(NodeConfig c, Shape shape, HostPort sentinelA, HostPort sentinelB) {
    boolean isA = c.nodeId().equals("a");
    NodeConfig withEndpoints = EndpointsThroughAgentsTest.withEndpoints(c,
        new EndpointsConfig(Optional.empty(), Optional.empty(), Optional.of(new EndpointsConfig.Sentinel(
            isA ? sentinelA : sentinelB, "mymaster",
            isA ? Map.of("b", sentinelB) : Map.of("a", sentinelA)))));
    if (shape == Shape.FAILBACK) {
      return withEndpoints;
    }
    NodeConfig w = withEndpoints;
    return new NodeConfig(w.source(), w.group(), w.nodeId(), 100, w.redis(), w.peers(), w.coordination(),
        w.health(), w.persistence(), w.failover(), w.hooks(), w.api(), w.stateDir(), w.endpoints());
  }
}
