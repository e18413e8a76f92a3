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
 * @param reason one human sentence: why (for people; tests and operators read it word for word)
 * @param cause the same why as a fixed code, for the event log and metrics
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
    boolean fenceMayShutDown,
    Cause cause) {

  public Decision {
    java.util.Objects.requireNonNull(cause, "every decision has a cause");
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

  /**
   * Why a decision was made, as a fixed vocabulary (Sentinel's event names are the model): one
   * code per rule of the group policy that can produce a decision.
   */
  public enum Cause {
    /** Listening for the group before acting. */
    BOOTSTRAP,
    /** The local Redis is loading its dataset. */
    LOCAL_REDIS_LOADING,
    /** The local Redis does not answer. */
    LOCAL_REDIS_DOWN,
    /** The local Redis restarted without its data; it must not be master (DESIGN rule 1). */
    LOCAL_DATA_LOST,
    /** The local Redis restarted from disk and another node holds newer data. */
    NEWER_DATA_ELSEWHERE,
    /** The local Redis restarted from disk; waiting to learn whether another node holds newer data. */
    RESTARTED_FROM_DISK,
    /** Another node demoted the local Redis (fenced it); waiting for its epoch. */
    FENCED_BY_PEER,
    /** This node is the master of the epoch. */
    MASTER_OF_EPOCH,
    /** Handing over to a preferred in-sync replica that asked (preemption, failback). */
    PREEMPTION,
    /** Handing over (or a request to) because an operator asked. */
    SWITCHOVER,
    /** Another node handed the master role to this one. */
    HANDED_OVER_TO_ME,
    /** A handover to this node is under way; waiting for it to finish. */
    HANDOVER_TO_ME_PENDING,
    /** Replicating from the master of the epoch. */
    FOLLOWING_MASTER,
    /** The master's state is in transition (just promoted, or its agent restarting). */
    MASTER_IN_TRANSITION,
    /** The master's agent is silent, not yet for the down time. */
    MASTER_SILENT,
    /** The master's agent is silent, but its Redis is healthy (or busy): reported, no failover. */
    MASTER_AGENT_SILENT_REDIS_ALIVE,
    /** Something is said to be wrong with the master, but this node's own probe does not show it. */
    AWAITING_EVIDENCE,
    /** The master failed: taking over. */
    MASTER_FAILED,
    /** No master yet: taking the role as the best candidate. */
    NO_MASTER_YET,
    /** No master yet: waiting for every reachable member's Redis before choosing. */
    NO_MASTER_YET_WAITING,
    /** Another node is the better candidate. */
    BETTER_CANDIDATE,
    /** This node's Redis holds no complete copy of the data. */
    NO_COMPLETE_DATA,
    /** A member's Redis answers as master or holds newer data while its agent is not heard. */
    PEER_REDIS_IN_THE_WAY,
    /** The new epoch cannot be recorded (state file). */
    STATE_NOT_WRITABLE,
    /** The old master could not be fenced last time; backing off. */
    FENCE_BACKOFF,
    /** Maintenance mode: no automatic failover. */
    MAINTENANCE
  }

  /** A node and its Redis. */
  public record Target(String nodeId, HostPort redis) {}

  public static Decision waiting(long epoch, String master, Cause cause, String reason) {
    return new Decision(Action.WAIT, epoch, master, Optional.empty(), false, Optional.empty(), false, false,
        Optional.empty(), reason, false, cause);
  }

  public static Decision replica(long epoch, String master, Optional<HostPort> follow, Cause cause, String reason) {
    return new Decision(Action.REPLICA, epoch, master, follow, false, Optional.empty(), false, false, Optional.empty(),
        reason, false, cause);
  }

  public static Decision fault(long epoch, String master, Optional<HostPort> follow, Cause cause, String reason) {
    return new Decision(Action.FAULT, epoch, master, follow, false, Optional.empty(), false, false, Optional.empty(),
        reason, false, cause);
  }

  public static Decision master(long epoch, String me, boolean persist, Cause cause, String reason) {
    return new Decision(Action.MASTER, epoch, me, Optional.empty(), false, Optional.empty(), false, persist,
        Optional.empty(), reason, false, cause);
  }

  public static Decision takeover(
      long newEpoch, String me, Optional<HostPort> fence, boolean catchUp, Cause cause, String reason) {
    return new Decision(Action.MASTER, newEpoch, me, Optional.empty(), true, fence, catchUp, true, Optional.empty(),
        reason, false, cause);
  }

  /** The same takeover from an old master stuck BUSY in an unkillable script: it may be shut down. */
  public Decision shuttingDownBusy(HostPort oldMaster) {
    return new Decision(Action.MASTER, epoch, masterNode, Optional.empty(), true, Optional.of(oldMaster), true, true,
        Optional.empty(), reason, true, cause);
  }

  public static Decision handOver(long epoch, String me, Target to, Cause cause, String reason) {
    return new Decision(Action.HAND_OVER, epoch, me, Optional.empty(), false, Optional.empty(), false, false,
        Optional.of(to), reason, false, cause);
  }
}
