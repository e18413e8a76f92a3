package dev.redisha.endpoint.sentinel;

import dev.redisha.config.HostPort;
import dev.redisha.endpoint.MasterView;
import dev.redisha.endpoint.RedisNodeView;
import java.util.List;
import java.util.Optional;

/**
 * What the endpoint currently tells clients: the latest view, the last master it announced (so a
 * switch names the old address and a master-less group still shows where its master was), and
 * when the current state began.
 *
 * @param view the latest view, empty before the first {@code update}
 * @param lastMaster the last master address announced, kept while there is no master
 * @param sinceNanos {@link System#nanoTime} when the master last changed or disappeared
 * @param masterDown whether the last master's Redis is down and no new one took over yet (the
 *     master is then flagged {@code s_down,o_down})
 */
record Snapshot(
    Optional<MasterView> view, Optional<HostPort> lastMaster, long sinceNanos, boolean masterDown) {
  static Snapshot initial() {
    return new Snapshot(Optional.empty(), Optional.empty(), System.nanoTime(), false);
  }

  /** The master clients should use now, empty while there is none. */
  Optional<HostPort> master() {
    return view.flatMap(MasterView::masterRedis);
  }

  /**
   * The master to name to clients: the current one, or while there is none the last one known,
   * as a real Sentinel answers the last known address until a failover names a new one.
   */
  Optional<HostPort> knownMaster() {
    return master().or(this::lastMaster);
  }

  long epoch() {
    return view.map(MasterView::epoch).orElse(0L);
  }

  /** The other nodes' Redis addresses, never the known master's own. */
  List<HostPort> replicas() {
    Optional<HostPort> master = knownMaster();
    return view.map(MasterView::replicas).orElse(List.of()).stream()
        .filter(r -> master.isEmpty() || !r.equals(master.get()))
        .toList();
  }

  Optional<RedisNodeView> node(HostPort redis) {
    return view.flatMap(v -> v.node(redis));
  }

  /** Whether the Redis at {@code redis} is known to be down; unknown counts as up. */
  boolean down(HostPort redis) {
    return node(redis).map(n -> !n.up()).orElse(false);
  }

  long millisInState() {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  /** The state after {@code next}: the time restarts only when the master address changes. */
  Snapshot next(MasterView next) {
    Optional<HostPort> newMaster = next.masterRedis();
    boolean changed = !newMaster.equals(master());
    Optional<HostPort> last = newMaster.isPresent() ? newMaster : lastMaster;
    boolean down = newMaster.isEmpty() && last.isPresent()
        && next.node(last.get()).map(n -> !n.up()).orElse(true);
    return new Snapshot(Optional.of(next), last, changed ? System.nanoTime() : sinceNanos, down);
  }
}
