package dev.redisha.coordination;

import dev.redisha.config.HostPort;
import java.util.Optional;

/**
 * What the coordinator wants the local node to be now. The controller makes Redis match it; the
 * decision itself never touches Redis.
 *
 * @param epoch the epoch the decision belongs to (for a takeover: the new epoch)
 * @param masterNode node id of the master of that epoch ("" when none yet)
 * @param follow for REPLICA and FAULT: the Redis to replicate from, present only when it is a
 *     healthy master; absent means "park" (read-only, serving no sync) so an empty or unknown
 *     server is never copied
 * @param takeover for MASTER: the local node takes the role now (fence, commit epoch, promote)
 * @param fence for a takeover: the old master's Redis to demote first if it still answers
 * @param fenceCatchUp whether the old master may hold writes this node has not received (it was
 *     healthy when last heard): pause its writes and wait to catch up before promoting
 * @param persist for MASTER: whether the master must persist (no in-sync persisting replica)
 * @param fenceMayShutDown for a takeover: the old master has been BUSY with a script that cannot
 *     be killed past {@code health.busy_shutdown_after_ms} while its agent is silent; the fence may
 *     SHUTDOWN NOSAVE it (the only way to be sure it never accepts a write again)
 * @param handoverTo for HAND_OVER: the node taking over and its Redis
 * @param reason one human sentence: why
 */
public record Decision(
    Action action,
    long epoch,
    String masterNode,
    Optional<HostPort> follow,
    boolean takeover,
    Optional<HostPort> fence,
    boolean fenceCatchUp,
    boolean persist,
    Optional<Target> handoverTo,
    String reason,
    boolean fenceMayShutDown) {

  public Decision(Action action, long epoch, String masterNode, Optional<HostPort> follow, boolean takeover,
      Optional<HostPort> fence, boolean fenceCatchUp, boolean persist, Optional<Target> handoverTo, String reason) {
    this(action, epoch, masterNode, follow, takeover, fence, fenceCatchUp, persist, handoverTo, reason, false);
  }

  public enum Action {
    /** Change nothing (bootstrap, maintenance, waiting for a better candidate). */
    WAIT,
    MASTER,
    REPLICA,
    /** The local Redis is down or lost its data: it must not be master. */
    FAULT,
    /** Hand the master role to another node by a zero-loss switchover. */
    HAND_OVER
  }

  /** A node and its Redis. */
  public record Target(String nodeId, HostPort redis) {}

  public static Decision waiting(long epoch, String master, String reason) {
    return new Decision(Action.WAIT, epoch, master, Optional.empty(), false, Optional.empty(), false, false, Optional.empty(), reason);
  }

  public static Decision replica(long epoch, String master, Optional<HostPort> follow, String reason) {
    return new Decision(Action.REPLICA, epoch, master, follow, false, Optional.empty(), false, false, Optional.empty(), reason);
  }

  public static Decision fault(long epoch, String master, Optional<HostPort> follow, String reason) {
    return new Decision(Action.FAULT, epoch, master, follow, false, Optional.empty(), false, false, Optional.empty(), reason);
  }

  public static Decision master(long epoch, String me, boolean persist, String reason) {
    return new Decision(Action.MASTER, epoch, me, Optional.empty(), false, Optional.empty(), false, persist, Optional.empty(), reason);
  }

  public static Decision takeover(
      long newEpoch, String me, Optional<HostPort> fence, boolean catchUp, String reason) {
    return new Decision(Action.MASTER, newEpoch, me, Optional.empty(), true, fence, catchUp, true, Optional.empty(), reason);
  }

  /** A takeover from an old master stuck BUSY in an unkillable script: it may be shut down. */
  public static Decision takeoverShuttingDownBusy(long newEpoch, String me, HostPort fence, String reason) {
    return new Decision(Action.MASTER, newEpoch, me, Optional.empty(), true, Optional.of(fence), true, true,
        Optional.empty(), reason, true);
  }

  public static Decision handOver(long epoch, String me, Target to, String reason) {
    return new Decision(Action.HAND_OVER, epoch, me, Optional.empty(), false, Optional.empty(), false, false, Optional.of(to), reason);
  }
}
