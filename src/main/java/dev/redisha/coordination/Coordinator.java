package dev.redisha.coordination;

import dev.redisha.coordination.MemberView;
import dev.redisha.health.RedisHealth;
import java.util.List;
import java.util.Optional;

/**
 * Decides who is master (DESIGN §2). The decision loop calls it on one thread; the backend (peer
 * adverts today, ZooKeeper later) is invisible to the controller.
 */
public interface Coordinator extends AutoCloseable {

  void start();

  /** The decision for the local node, given the newest health of its Redis. */
  Decision decide(RedisHealth local);

  /**
   * Called by the controller after fencing and before promoting: the new epoch must be durable
   * before the local Redis accepts writes, so a restarted agent never forgets it was master.
   *
   * @return false if the takeover cannot go ahead (the epoch could not be recorded): the
   *     controller then aborts, as after a failed fence, and does not promote
   */
  boolean commitTakeover(Decision takeover);

  /** The controller failed to fence the old master; the takeover is retried later. */
  void takeoverAborted(Decision takeover, String why);

  /** Result of a HAND_OVER: on success the target is master of the next epoch. */
  void handoverFinished(Decision handover, boolean success, String detail);

  /**
   * Maintenance mode for the whole group: no automatic failover or failback while paused. Taken
   * by this agent, carried to every other, kept on disk.
   *
   * @return whether the change is on disk (false: in effect, but lost if this agent restarts now)
   */
  boolean setPaused(boolean paused);

  boolean paused();

  /** The group's maintenance state: paused or not, by whom, when. */
  Maintenance maintenance();

  /** Why this agent cannot record its state now ("" when it can); no takeover while it cannot. */
  String stateProblem();

  /**
   * Operator switchover: hand over to this node (or the best in-sync replica).
   *
   * @return why it is refused (no such node, the current master, not heard, not in sync), or
   *     empty when accepted: it then runs at once or expires, never later unprompted
   */
  Optional<String> requestSwitchover(Optional<String> toNode);

  /** Drops a pending operator switchover; false if there was none. */
  boolean cancelSwitchover();

  /** The pending operator switchover in one line ("to b, requested 120 ms ago, ..."), "" if none. */
  String pendingSwitchover();

  AgentState state();

  long epoch();

  String epochMaster();

  boolean holdDown();

  List<MemberView> peers();

  @Override
  void close();
}
