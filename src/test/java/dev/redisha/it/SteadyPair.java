package dev.redisha.it;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The start most scenarios share: a {@link TestGroup#pair} with both agents running, "a" master
 * and "b" its in-sync, persisting replica ({@link Scenarios#awaitSteadyPair}), and on request a
 * {@link Writer} with some writes acknowledged. Closing it closes the group (every agent stopped,
 * every redis-server killed), also when the start itself fails.
 *
 * <p>It lives beside {@link TestGroup} rather than in {@code testsupport}: the group, its nodes
 * and the writer are this package's (tests reach into their package-private fields), and
 * {@code testsupport} depends on no test package.
 */
final class SteadyPair implements AutoCloseable {
  private final TestGroup group;

  private SteadyPair(TestGroup group) {
    this.group = group;
  }

  /** Managed mode: each agent starts its own redis-server. */
  static SteadyPair managed(Path dir, UnaryOperator<NodeConfig> tweak) {
    return start(TestGroup.pair(dir, RedisMode.MANAGED, tweak), false);
  }

  /**
   * External mode, servers started as "systemd" would: a's without persistence (the master's
   * policy), b's with {@link TestGroup#POLICY}.
   */
  static SteadyPair external(Path dir, UnaryOperator<NodeConfig> tweak) {
    return start(TestGroup.pair(dir, RedisMode.EXTERNAL, tweak), true);
  }

  private static SteadyPair start(TestGroup g, boolean external) {
    try {
      if (external) {
        g.node("a").startExternalRedis(Optional.empty());
        g.node("b").startExternalRedis(Optional.of(TestGroup.POLICY));
      }
      g.nodes().forEach(TestNode::startAgent);
      Scenarios.awaitSteadyPair(g, g.node("a"), g.node("b"));
      return new SteadyPair(g);
    } catch (RuntimeException | Error e) {
      g.close();
      throw e;
    }
  }

  TestGroup group() {
    return group;
  }

  TestNode a() {
    return group.node("a");
  }

  TestNode b() {
    return group.node("b");
  }

  /**
   * A writer (at most 400,000 writes and {@code maxMillis}) to wherever the agents route clients,
   * returned once {@code acked} writes are acknowledged, waiting at most {@code within}.
   */
  Writer writer(long maxMillis, int acked, Duration within) {
    return writer(group::masterRedis, maxMillis, acked, within);
  }

  /** As above, to the Redis {@code route} names. */
  Writer writer(Supplier<Optional<HostPort>> route, long maxMillis, int acked, Duration within) {
    Writer w = new Writer(route, a().config.redis().password(), 400_000, maxMillis);
    try {
      Await.until(acked + " writes acked", within, () -> w.acked() >= acked);
      return w;
    } catch (RuntimeException | Error e) {
      w.close();
      throw e;
    }
  }

  @Override
  public void close() {
    group.close();
  }
}
