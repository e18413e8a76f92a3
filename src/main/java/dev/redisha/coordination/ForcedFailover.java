package dev.redisha.coordination;

import dev.redisha.redis.RedisInfo;
import java.util.Optional;

/**
 * An operator's forced failover ({@code failover --to NODE}), for when the master is gone or
 * broken: the rules that refuse it, and the accepted request until it runs (through the same
 * takeover as an automatic one: fence, durable epoch, promote) or expires. Taken by the target's
 * agent only: it is the node that promotes itself.
 */
public final class ForcedFailover {
  private final String me;
  private final long lifetimeMs;
  private Pending pending;

  /** @param from the master it takes over from ("" when the group had none) */
  private record Pending(String from, boolean allowDataLoss, long requestedAt, long expiresAt) {}

  /**
   * What the target knows when the operator asks.
   *
   * @param leader the master of the current epoch, "" when none
   * @param leaderLast the leader's last published status (heard or not), empty if never heard
   * @param leaderHeard whether its agent is heard now (within the down time)
   * @param leaderRedisHealthy whether this node's own probe finds its Redis answering as a
   *     healthy master
   * @param mine this node's Redis, empty when it does not answer
   * @param myDataEpoch this node's data claim, -1 when it holds no complete copy
   */
  public record Facts(
      String leader, long epoch, Optional<MemberStatus> leaderLast, long leaderHeardMsAgo, boolean leaderHeard,
      boolean leaderRedisHealthy, Optional<RedisInfo> mine, long myDataEpoch) {}

  public ForcedFailover(String me, long lifetimeMs) {
    this.me = me;
    this.lifetimeMs = lifetimeMs;
  }

  /** Why this node must not be forced to master now, or empty when it may. */
  public static Optional<String> refusal(String me, String to, boolean allowDataLoss, Facts f) {
    if (!to.equals(me)) {
      return Optional.of("this agent is " + me + "'s; a forced failover to " + to + " is taken by " + to
          + "'s agent (it promotes its own Redis)");
    }
    if (me.equals(f.leader())) {
      return Optional.of(me + " is already the master (epoch " + f.epoch() + ")");
    }
    if (f.leader().isEmpty()) {
      return Optional.of("the group has no master yet: nothing to fail over from");
    }
    RedisInfo info = f.mine().orElse(null);
    if (info == null) {
      return Optional.of(me + "'s Redis does not answer: it cannot take the role");
    }
    if (f.myDataEpoch() < 0 || info.masterSyncInProgress()) {
      return Optional.of(me + "'s Redis holds no complete copy of the data (never synced, or syncing now)");
    }
    MemberStatus last = f.leaderLast().orElse(null);
    if (f.leaderHeard() && last != null && last.state() == AgentState.MASTER && f.leaderRedisHealthy()) {
      return Optional.of("master " + f.leader() + " is healthy and serving (its agent reports MASTER and its Redis"
          + " answers as master to " + me + "'s probe): use `redis-ha switchover --to " + me + "`,"
          + " a planned move that loses nothing");
    }
    if (allowDataLoss) {
      return Optional.empty();
    }
    if (last == null) {
      return Optional.of("the last master " + f.leader() + " was never heard by " + me
          + ": how far behind " + me + " is cannot be told; add --allow-data-loss to fail over anyway");
    }
    if (!last.replId().isEmpty() && !last.replId().equals(info.replId())) {
      return Optional.of(me + "'s data is not from " + f.leader() + "'s replication stream (replication id "
          + info.replId() + ", " + f.leader() + "'s " + last.replId() + "): how far behind it is cannot be told;"
          + " add --allow-data-loss to fail over anyway");
    }
    long behind = last.replOffset() - info.replOffset();
    if (behind > 0) {
      return Optional.of(me + " is " + behind + " bytes behind the last known master " + f.leader() + " ("
          + f.leader() + "'s offset " + last.replOffset() + " as last heard " + f.leaderHeardMsAgo() + " ms ago, "
          + me + "'s offset " + info.replOffset() + "): the writes in between would be lost;"
          + " add --allow-data-loss to fail over anyway");
    }
    return Optional.empty();
  }

  public void accept(String from, boolean allowDataLoss, long now) {
    pending = new Pending(from, allowDataLoss, now, now + lifetimeMs);
  }

  public boolean pending() {
    return pending != null;
  }

  /** The master it takes over from. */
  public String from() {
    return pending == null ? "" : pending.from();
  }

  public boolean allowDataLoss() {
    return pending != null && pending.allowDataLoss();
  }

  /** Ends the request: it ran, failed, was overtaken by a new master, or is cancelled. */
  public boolean clear() {
    boolean had = pending != null;
    pending = null;
    return had;
  }

  /** A request that could not run within its lifetime is dropped, never run later. */
  public boolean expire(long now) {
    if (pending != null && now > pending.expiresAt()) {
      pending = null;
      return true;
    }
    return false;
  }

  /** "forced failover from a to b, requested 40 ms ago", "" when none. */
  public String describe(long now) {
    if (pending == null) {
      return "";
    }
    return "forced failover from " + pending.from() + " to " + me + (pending.allowDataLoss() ? " (data loss allowed)" : "")
        + ", requested " + (now - pending.requestedAt()) + " ms ago";
  }
}
