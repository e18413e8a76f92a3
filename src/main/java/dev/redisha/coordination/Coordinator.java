package dev.redisha.coordination;

import dev.redisha.health.RedisHealth;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Decides who is master (DESIGN §2): all the agent and the controller know of coordination. The
 * decision loop calls it on one thread; which backend made a decision (peer adverts today,
 * ZooKeeper later) is invisible to them. A backend implements this with the group policy ({@link
 * GroupPolicy}) over its own primitives ({@link GroupBackend}).
 */
public interface Coordinator extends AutoCloseable {

  void start();

  /** The decision for the local node, given the newest health of its Redis. */
  Decision decide(RedisHealth local);

  /**
   * Called by the controller after fencing and before promoting: the new epoch must be recorded
   * (on disk, or in the quorum) before the local Redis accepts writes, so a restarted agent never
   * forgets it was master.
   *
   * @return false if the takeover is lost (the epoch could not be recorded, or another node took
   *     it first): the controller then aborts, as after a failed fence, and does not promote
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

  /** Every other configured member as last heard, in configuration order. */
  List<MemberView> peers();

  /**
   * Where endpoints send clients now.
   *
   * @param localServes this node's Redis serves as master now (the controller has just promoted
   *     or found it), which the latest probe may not show yet
   */
  Route route(boolean localServes);

  /** The node the master (another node) is handing over to, while it says so. */
  Optional<String> handoverInProgress();

  /** Whether the epoch's master (another node) serves as master, not handing over. */
  boolean masterServing();

  /**
   * This node's endpoints are held for a handover to {@code target} ("" when no longer): told to
   * the group, so the master knows it may switch.
   */
  void setHandoverPrepared(String target);

  /**
   * The planned-handover barrier on the master: completes with true once every member heard
   * within the down time says its endpoints are held for {@code target}. It never completes with
   * false by itself; the caller gives up after its own timeout (a member that does not answer in
   * time is not waited for) and may cancel it.
   */
  CompletableFuture<Boolean> peersPrepared(String target);

  /** Problems an operator should fix or know about, one sentence each. */
  List<String> warnings();

  /** Registers the backend's own metrics (packets, link problems, sessions) with the agent's registry. */
  void bindMetrics(MeterRegistry registry);

  /** Stops like a crashed process: no goodbye to the group (tests use this to kill an agent). */
  void halt();

  @Override
  void close();
}
