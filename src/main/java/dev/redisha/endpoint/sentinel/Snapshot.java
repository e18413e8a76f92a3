package dev.redisha.endpoint.sentinel;

import dev.redisha.config.HostPort;
import dev.redisha.endpoint.MasterView;
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
 */
record Snapshot(Optional<MasterView> view, Optional<HostPort> lastMaster, long sinceNanos) {
  static Snapshot initial() {
    return new Snapshot(Optional.empty(), Optional.empty(), System.nanoTime());
  }

  /** The master clients should use now, empty while there is none. */
  Optional<HostPort> master() {
    return view.flatMap(MasterView::masterRedis);
  }

  long epoch() {
    return view.map(MasterView::epoch).orElse(0L);
  }

  /** The other nodes' Redis addresses, never the master's own. */
  List<HostPort> replicas() {
    Optional<HostPort> master = master();
    return view.map(MasterView::replicas).orElse(List.of()).stream()
        .filter(r -> master.isEmpty() || !r.equals(master.get()))
        .toList();
  }

  long millisInState() {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  /** The state after {@code next}: the time restarts only when the master address changes. */
  Snapshot next(MasterView next) {
    Optional<HostPort> newMaster = next.masterRedis();
    boolean changed = !newMaster.equals(master());
    return new Snapshot(
        Optional.of(next),
        newMaster.isPresent() ? newMaster : lastMaster,
        changed ? System.nanoTime() : sinceNanos);
  }
}
