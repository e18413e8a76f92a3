package dev.redisha.coordination;

import static dev.redisha.coordination.PolicyFixture.master;
import static dev.redisha.coordination.PolicyFixture.redisOf;
import static dev.redisha.coordination.PolicyFixture.replicaOf;
import static dev.redisha.coordination.PolicyFixture.replicaStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.health.PeerRedisProbe;
import dev.redisha.redis.RedisInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DESIGN §4: no promotion past a member whose agent is silent while its Redis is in the way. */
class PromotionGuardTest {
  private final PromotionGuard guard = new PromotionGuard(List.of("a", "c"), PolicyFixture::redisOf);
  private final RedisInfo mine = replicaOf("a", "run-b", "replid-x", 1_000);

  private static PeerRedisProbe answers(String node, RedisInfo info) {
    return new PeerRedisProbe(node, redisOf(node), PeerRedisProbe.Outcome.ANSWERS, Optional.of(info), 0, 0, -1, 0, "");
  }

  private static PeerRedisProbe refused(String node) {
    return new PeerRedisProbe(node, redisOf(node), PeerRedisProbe.Outcome.REFUSED, Optional.empty(), 1, -1, -1, 0,
        "connection refused");
  }

  private Optional<String> blocker(String except, Map<String, PeerRedisProbe> probes) {
    Map<String, MemberReport> alive = Map.of();
    return guard.blocker(alive, except, mine, id -> probes.getOrDefault(id, PeerRedisProbe.unknown(id, redisOf(id), 0)));
  }

  @Test
  void aSilentMembersRedisAnsweringAsMasterBlocks() {
    Optional<String> why = blocker("", Map.of("a", refused("a"), "c", answers("c", master("run-c", 5))));
    assertEquals(Optional.of("c's Redis answers as a master holding 10 keys (offset 5) and its agent is not heard"), why);
  }

  @Test
  void aMemberNeverProbedBlocks() {
    Optional<String> why = blocker("a", Map.of());
    assertEquals(Optional.of("I have not yet probed c's Redis, and its agent is not heard"), why);
  }

  @Test
  void theOldMasterBeingFencedAndGoneMembersDoNotBlock() {
    assertEquals(Optional.empty(), blocker("a", Map.of("c", refused("c"))));
  }

  @Test
  void aParkedRedisWithNewerDataOfMyStreamBlocks() {
    RedisInfo parked = new RedisInfo("run-c", "slave", "replid-x", 2_000, redisOf("c").host(), redisOf("c").port(),
        false, false, List.of(), 10, false, Map.of());
    Optional<String> why = blocker("a", Map.of("c", answers("c", parked)));
    assertTrue(why.orElse("").startsWith("c's Redis holds newer data (offset 2000 against my 1000)"), why.toString());
  }

  @Test
  void aMemberHeardSpeaksForItsRedis() {
    Map<String, MemberReport> alive = Map.of("c", new MemberReport(replicaStatus("c", "a", 5, 0), 0));
    Map<String, PeerRedisProbe> probes = Map.of("c", answers("c", master("run-c", 5)));
    assertEquals(Optional.empty(), guard.blocker(alive, "a", mine, probes::get));
  }
}
