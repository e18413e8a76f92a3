package dev.redisha.endpoint.sentinel;

import dev.redisha.config.HostPort;
import dev.redisha.endpoint.MasterView;
import dev.redisha.endpoint.RedisNodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a change of view into the events a real Sentinel publishes for it, in its order and with
 * its message formats (Redis 7.0 sentinel.c, sentinelEvent: {@code master <name> <ip> <port>} and
 * {@code slave <ip>:<port> <ip> <port> @ <name> <master-ip> <master-port>}). Clients act on them:
 * Lettuce refreshes its topology on {@code +elected-leader}, {@code +switch-master}, {@code
 * +slave}, {@code +sdown}/{@code -sdown} of a replica, {@code +convert-to-slave}, {@code
 * +role-change} and {@code failover-end}; Jedis and redis-py follow {@code +switch-master}.
 *
 * <p>As with real Sentinels, only the failover's leader publishes its steps ({@code
 * +try-failover} to {@code +failover-end}); here the leader is the endpoint of the node whose
 * Redis was promoted. Every endpoint publishes what it sees: instances going down or up, the new
 * epoch, the switch and the replicas of the new master. The agent promotes in one step, so the
 * steps are published together once the promotion is seen, in the order Sentinel would have.
 */
final class Announcements {
  /** One message to publish. */
  record Event(String channel, String message) {}

  private final String masterName;
  private final String nodeId;
  private final String runId;
  private final int sentinels;
  private final int quorum;

  Announcements(String masterName, String nodeId, String runId, int sentinels, int quorum) {
    this.masterName = masterName;
    this.nodeId = nodeId;
    this.runId = runId;
    this.sentinels = sentinels;
    this.quorum = quorum;
  }

  /** What to publish when the endpoint goes from {@code before} to {@code after}. */
  List<Event> between(Snapshot before, Snapshot after) {
    List<Event> out = new ArrayList<>();
    if (after.view().isEmpty()) {
      return out;
    }
    MasterView view = after.view().get();
    Optional<HostPort> oldMaster = before.lastMaster();
    Optional<HostPort> newMaster = after.master();
    // The first master ever seen is where Sentinel starts monitoring, not a switch.
    if (oldMaster.isEmpty()) {
      return out;
    }
    HostPort old = oldMaster.get();
    if (!before.masterDown() && after.masterDown()) {
      out.add(new Event("+sdown", master(old)));
      out.add(new Event("+odown", master(old) + " #quorum " + sentinels + "/" + quorum));
    }
    if (before.view().isPresent() && view.epoch() > before.epoch()) {
      out.add(new Event("+new-epoch", Long.toString(view.epoch())));
    }
    boolean switched = newMaster.isPresent() && !newMaster.get().equals(old);
    if (before.masterDown() && newMaster.equals(oldMaster)) {
      // Back without a failover.
      out.add(new Event("-sdown", master(old)));
      out.add(new Event("-odown", master(old)));
    }
    if (switched) {
      HostPort promoted = newMaster.get();
      if (view.masterNode().map(nodeId::equals).orElse(false)) {
        leaderSteps(out, view, old, promoted);
      }
      out.add(new Event("+switch-master", masterName + " " + old.host() + " " + old.port() + " "
          + promoted.host() + " " + promoted.port()));
      for (HostPort replica : after.replicas()) {
        out.add(new Event("+slave", slave(replica, promoted)));
      }
      if (after.down(old)) {
        out.add(new Event("+sdown", slave(old, promoted)));
      }
    }
    HostPort current = after.knownMaster().orElseThrow();
    for (HostPort replica : after.replicas()) {
      boolean announced = switched;
      Optional<RedisNodeView> was = before.node(replica);
      Optional<RedisNodeView> is = after.node(replica);
      if (!announced && !before.replicas().contains(replica) && !replica.equals(old)) {
        out.add(new Event("+slave", slave(replica, current)));
      }
      if (was.isEmpty() || is.isEmpty()) {
        continue;
      }
      if (!(switched && replica.equals(old))) {
        if (was.get().up() && !is.get().up()) {
          out.add(new Event("+sdown", slave(replica, current)));
        }
      }
      if (!was.get().up() && is.get().up()) {
        out.add(new Event("-sdown", slave(replica, current)));
      }
      String role = is.get().role();
      if (!role.isEmpty() && !role.equals(was.get().role()) && is.get().up()) {
        // "+" when it now reports the role Sentinel lists it in, "-" when it disagrees.
        out.add(new Event(role.equals("slave") ? "+role-change" : "-role-change",
            slave(replica, current) + " new reported role is " + role));
        if (role.equals("slave") && was.get().role().equals("master")) {
          // The old master now replicates the new one: what Sentinel reports once it has sent
          // it SLAVEOF; here its agent demoted it.
          out.add(new Event("+convert-to-slave", slave(replica, current)));
        }
      }
    }
    return out;
  }

  private void leaderSteps(List<Event> out, MasterView view, HostPort old, HostPort promoted) {
    String oldMaster = master(old);
    String chosen = slave(promoted, old);
    out.add(new Event("+try-failover", oldMaster));
    out.add(new Event("+vote-for-leader", runId + " " + view.epoch()));
    out.add(new Event("+elected-leader", oldMaster));
    out.add(new Event("+failover-state-select-slave", oldMaster));
    out.add(new Event("+selected-slave", chosen));
    out.add(new Event("+failover-state-send-slaveof-noone", chosen));
    out.add(new Event("+failover-state-wait-promotion", chosen));
    out.add(new Event("-role-change", chosen + " new reported role is master"));
    out.add(new Event("+promoted-slave", chosen));
    out.add(new Event("+failover-state-reconf-slaves", oldMaster));
    for (HostPort other : view.replicas()) {
      if (other.equals(old) || other.equals(promoted)) {
        continue;
      }
      String replica = slave(other, old);
      out.add(new Event("+slave-reconf-sent", replica));
      out.add(new Event("+slave-reconf-inprog", replica));
      out.add(new Event("+slave-reconf-done", replica));
    }
    out.add(new Event("+failover-end", oldMaster));
  }

  private String master(HostPort address) {
    return "master " + masterName + " " + address.host() + " " + address.port();
  }

  private String slave(HostPort replica, HostPort master) {
    return "slave " + replica + " " + replica.host() + " " + replica.port() + " @ " + masterName
        + " " + master.host() + " " + master.port();
  }
}
