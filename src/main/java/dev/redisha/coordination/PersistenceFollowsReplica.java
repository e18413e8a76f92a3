package dev.redisha.coordination;

import dev.redisha.config.HostPort;
import dev.redisha.redis.RedisInfo;
import java.util.Collection;
import java.util.function.Function;

/**
 * DESIGN rule 4 on the master: it persists unless a replica of its epoch, linked, persisting, with
 * the epoch's data, listed online by the master's Redis, keeps up in time by its own offset (not
 * by the acknowledgement Redis lists, which is up to a second old). The timing and hysteresis are
 * {@link MasterPersistencePolicy}'s.
 */
public final class PersistenceFollowsReplica {
  private static final long PERSIST_OFF_AFTER_MS = 1000;
  private final MasterPersistencePolicy policy;

  /**
   * @param advertIntervalMs how often members publish their status (their offsets are that old)
   * @param downTimeMs how long a silent member still counts as alive
   */
  public PersistenceFollowsReplica(long advertIntervalMs, long downTimeMs) {
    // A replica a second or more behind in time is not keeping up; a lag that lasts as long as the
    // hold-off below turns the master's persistence on.
    long lag = Math.max(1000, 4 * advertIntervalMs);
    this.policy = new MasterPersistencePolicy(lag, Math.max(1000, 2 * downTimeMs), PERSIST_OFF_AFTER_MS);
  }

  /**
   * @param mine the master's Redis now
   * @param linkedReplicas members that say they replicate this master's epoch with its data
   * @return whether the master should persist now
   */
  public boolean decide(RedisInfo mine, Collection<MemberStatus> linkedReplicas, Function<String, HostPort> redisOf,
      long now) {
    policy.noteMasterOffset(mine.replOffset(), now);
    boolean replicaKeepsUp = linkedReplicas.stream().anyMatch(a -> {
      HostPort redis = redisOf.apply(a.nodeId());
      boolean onlineHere = mine.replicas().stream()
          .anyMatch(c -> c.online() && c.port() == redis.port() && c.ip().equals(redis.host()));
      return onlineHere && a.persisting() && policy.keepsUp(a.replOffset(), now);
    });
    return policy.decide(replicaKeepsUp, now);
  }

  /** A new term as master: it may be the last copy until shown otherwise. */
  public void reset() {
    policy.reset();
  }
}
