package dev.redisha.coordination.backends;

import dev.redisha.config.NodeConfig;
import dev.redisha.coordination.Coordinator;
import dev.redisha.coordination.StateStore;
import dev.redisha.coordination.peer.PeerCoordinator;
import dev.redisha.health.PeerRedisProbe;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The one place that knows every coordination backend: picks the one {@code coordination.backend}
 * names (the config loader has already refused any other value, naming the field and the
 * accepted ones). A new backend is a package beside {@code peer} and one case here; the agent and
 * the controller only ever see a {@link Coordinator}.
 */
public final class CoordinatorFactory {
  private CoordinatorFactory() {}

  /**
   * @param clock monotonic milliseconds (a wall-clock step must not make a member look dead)
   * @param wakeup called when the group changes, so the decision loop reacts at once
   * @param peerRedis this agent's own probes of the other members' Redis
   * @param probePeerRedis asks for a fresh probe of one member's Redis
   */
  public static Coordinator open(NodeConfig config, StateStore store, LongSupplier clock, Runnable wakeup,
      Supplier<Map<String, PeerRedisProbe>> peerRedis, Consumer<String> probePeerRedis) {
    return switch (config.coordination().backend()) {
      case PEER -> new PeerCoordinator(config, store, clock, wakeup, peerRedis, probePeerRedis);
    };
  }
}
