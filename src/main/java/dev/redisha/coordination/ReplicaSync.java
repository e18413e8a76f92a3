package dev.redisha.coordination;

import dev.redisha.config.HostPort;
import dev.redisha.redis.RedisInfo;
import java.util.function.Function;

/**
 * When a member counts as a replica of this master's epoch, and as in sync enough to take the
 * role by a zero-loss handover (within {@code failover.max_catch_up_lag_bytes}). Stateless.
 */
public final class ReplicaSync {
  private final String me;
  private final long maxLagBytes;
  private final Function<String, HostPort> redisOf;

  public ReplicaSync(String me, long maxLagBytes, Function<String, HostPort> redisOf) {
    this.me = me;
    this.maxLagBytes = maxLagBytes;
    this.redisOf = redisOf;
  }

  /** It says it replicates this master's {@code epoch}, with its link up and the epoch's data. */
  public boolean linkedReplicaOfMine(MemberStatus a, long epoch) {
    return a.state() == AgentState.REPLICA
        && a.epoch() == epoch
        && me.equals(a.epochMaster())
        && a.redisUp()
        && a.masterLinkUp()
        && a.dataEpoch() == epoch;
  }

  /**
   * In sync as this master sees it too: Redis streams to a freshly synced replica only after its
   * first acknowledgement (up to a second after the replica reports its link up), so the replica's
   * own word is not enough; the master's INFO must list it online with an acknowledged offset
   * within the allowed lag.
   */
  public boolean inSyncWith(MemberStatus a, RedisInfo mine, long epoch) {
    HostPort redis = redisOf.apply(a.nodeId());
    // "online" alone is not enough: after a diskless full sync Redis reports the replica online
    // but streams to it only after its first acknowledgement; an acknowledged offset shows that.
    boolean onlineHere = mine.replicas().stream().anyMatch(c -> c.online()
        && (c.offset() > 0 || mine.replOffset() == 0)
        && c.port() == redis.port()
        && c.ip().equals(redis.host())
        && mine.replOffset() - c.offset() <= maxLagBytes);
    return onlineHere
        && linkedReplicaOfMine(a, epoch)
        && mine.replOffset() - a.replOffset() <= maxLagBytes;
  }

  /** Why {@code a} is not an in-sync replica of this master, for an operator. */
  public String whyNot(MemberStatus a, RedisInfo mine, long epoch) {
    if (a.state() != AgentState.REPLICA || !me.equals(a.epochMaster()) || a.epoch() != epoch) {
      return "it reports " + a.state() + " in epoch " + a.epoch();
    }
    if (!a.redisUp() || !a.masterLinkUp()) {
      return "its Redis " + (a.redisUp() ? "has its replication link down" : "is down");
    }
    if (a.dataEpoch() != epoch) {
      return "it does not hold this epoch's complete data yet";
    }
    return (mine.replOffset() - a.replOffset()) + " bytes behind (at most " + maxLagBytes
        + " allowed), or not yet acknowledged by my Redis";
  }
}
