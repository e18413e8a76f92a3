package dev.redisha.it;

import dev.redisha.config.ApiConfig;
import dev.redisha.config.CoordinationConfig;
import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.FailoverConfig;
import dev.redisha.config.HealthConfig;
import dev.redisha.config.HooksConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.config.PersistencePolicy;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.config.Secret;
import dev.redisha.redis.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A group of real redis-servers and agents on loopback with random free ports. Closing it stops
 * every agent and kills every redis-server it started, by PID, whatever state the test left.
 */
public final class TestGroup implements AutoCloseable {
  public static final PersistencePolicy POLICY = new PersistencePolicy("60 1", false, "everysec");
  private final List<TestNode> nodes = new ArrayList<>();
  private final Path dir;

  private TestGroup(Path dir) {
    this.dir = dir;
  }

  /**
   * Two nodes, "a" (priority 150, the preferred master) and "b" (priority 100).
   *
   * @param tweak adjusts each node's config (timings, flap limits)
   */
  public static TestGroup pair(Path dir, RedisMode mode, UnaryOperator<NodeConfig> tweak) {
    TestGroup g = new TestGroup(dir);
    Secret key = new Secret("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8), "test");
    Secret password = new Secret("test-redis-password".getBytes(StandardCharsets.UTF_8), "test");
    String[] ids = {"a", "b"};
    int[] priorities = {150, 100};
    HostPort[] redis = {loopback(freeTcpPort()), loopback(freeTcpPort())};
    HostPort[] advert = {loopback(freeUdpPort()), loopback(freeUdpPort())};
    for (int i = 0; i < 2; i++) {
      int other = 1 - i;
      Path state = dir.resolve(ids[i]);
      NodeConfig c = new NodeConfig(
          dir.resolve(ids[i] + ".yaml"), "test", ids[i], priorities[i],
          new RedisConfig(redis[i], redis[i], Optional.empty(), Optional.of(password), Optional.empty(), mode,
              Optional.empty(), state.resolve("redis"), List.of()),
          List.of(new PeerConfig(ids[other], advert[other], redis[other], Optional.empty())),
          new CoordinationConfig(advert[i], key, 100, 3, true, 500, 60_000, 3, 1500),
          new HealthConfig(50, 200, 3),
          POLICY,
          new FailoverConfig(2000, 1 << 20),
          new HooksConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 5000),
          new ApiConfig(loopback(0), Optional.empty()),
          state, EndpointsConfig.none());
      g.nodes.add(new TestNode(tweak.apply(c)));
    }
    return g;
  }

  public TestNode node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  public List<TestNode> nodes() {
    return nodes;
  }

  /** The node whose agent says it is master (highest epoch if, wrongly, several do). */
  public Optional<TestNode> masterByAgents() {
    return nodes.stream().filter(TestNode::isMasterAgent)
        .max(Comparator.comparingLong(n -> n.agent.status().epoch()));
  }

  /** Where a client should write now, as an endpoint would route it. */
  public Optional<HostPort> masterRedis() {
    return masterByAgents().map(n -> n.config.redis().address());
  }

  public long redisMasters() {
    return nodes.stream().filter(TestNode::redisIsMaster).count();
  }

  @Override
  public void close() {
    for (TestNode n : nodes) {
      try {
        n.stopAgent();
      } catch (RuntimeException e) {
        n.agent = null;
      }
    }
    for (TestNode n : nodes) {
      if (n.externalRedis != null) {
        n.externalRedis.signal("CONT");
        n.externalRedis.kill();
      }
    }
    for (TestNode n : nodes) {
      n.orphans.forEach(p -> {
        p.signal("CONT");
        p.kill();
      });
    }
  }

  static HostPort loopback(int port) {
    return new HostPort("127.0.0.1", port);
  }

  static int freeTcpPort() {
    return FreePorts.tcp();
  }

  static int freeUdpPort() {
    return FreePorts.udp();
  }

  static NodeConfig withDir(NodeConfig c) {
    try {
      Files.createDirectories(c.stateDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return c;
  }
}
