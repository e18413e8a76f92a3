package dev.redisha.coordination;

import dev.redisha.config.HostPort;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.redis.RedisInfo;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * DESIGN §4: before promoting itself a node asks every configured member's Redis directly. A
 * member heard within the down time speaks for its Redis in its status; for any other (silent,
 * never heard, adverts that fail authentication) this node's own probe must show that its Redis
 * is gone or holds nothing newer than ours. Stateless.
 */
public final class PromotionGuard {
  private final Collection<String> members;
  private final Function<String, HostPort> redisOf;

  /** @param members the other configured members' node ids */
  public PromotionGuard(Collection<String> members, Function<String, HostPort> redisOf) {
    this.members = members;
    this.redisOf = redisOf;
  }

  /**
   * @param alive the members heard within the down time
   * @param except the old master being fenced ("" when none)
   * @param mine the local Redis
   * @param probeOf this node's own newest probe of a member's Redis
   * @return why not to promote, if a member's Redis stands in the way
   */
  public Optional<String> blocker(Map<String, MemberReport> alive, String except, RedisInfo mine,
      Function<String, PeerRedisProbe> probeOf) {
    for (String peer : members) {
      if (peer.equals(except) || alive.containsKey(peer)) {
        continue;
      }
      PeerRedisProbe p = probeOf.apply(peer);
      if (p.outcome() == PeerRedisProbe.Outcome.UNKNOWN) {
        return Optional.of("I have not yet probed " + peer + "'s Redis, and its agent is not heard");
      }
      if (!p.alive() || p.info().isEmpty()) {
        continue;
      }
      RedisInfo theirs = p.info().get();
      boolean isParked = !theirs.isMaster() && redisOf.apply(peer).equals(new HostPort(theirs.masterHost(), theirs.masterPort()));
      if (p.outcome() == PeerRedisProbe.Outcome.BUSY) {
        return Optional.of(peer + "'s Redis is busy running a script (alive) and its agent is not heard");
      }
      if (theirs.isMaster()) {
        // Empty or not: promoting beside it makes two writable masters (DESIGN rule 2).
        return Optional.of(peer + "'s Redis answers as a master holding " + theirs.keys()
            + " keys (offset " + theirs.replOffset() + ") and its agent is not heard");
      }
      if ((isParked || theirs.isMaster()) && theirs.replId().equals(mine.replId()) && theirs.replOffset() > mine.replOffset()) {
        return Optional.of(peer + "'s Redis holds newer data (offset " + theirs.replOffset() + " against my "
            + mine.replOffset() + ") and its agent is not heard");
      }
    }
    return Optional.empty();
  }
}
