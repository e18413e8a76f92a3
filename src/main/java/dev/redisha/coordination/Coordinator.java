package dev.redisha.coordination;

import dev.redisha.api.NodeStatus.PeerView;
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
   */
  void commitTakeover(Decision takeover);

  /** The controller failed to fence the old master; the takeover is retried later. */
  void takeoverAborted(Decision takeover, String why);

  /** Result of a HAND_OVER: on success the target is master of the next epoch. */
  void handoverFinished(Decision handover, boolean success, String detail);

  /** Maintenance mode: no automatic failover or failback while paused. */
  void setPaused(boolean paused);

  boolean paused();

  /** Operator switchover: hand over to this node (or the best in-sync replica). */
  void requestSwitchover(Optional<String> toNode);

  AgentState state();

  long epoch();

  String epochMaster();

  boolean holdDown();

  List<PeerView> peers();

  @Override
  void close();
}
