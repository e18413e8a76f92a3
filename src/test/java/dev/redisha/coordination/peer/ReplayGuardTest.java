package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.TestAdverts.advert;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
  private static final long NOW = 1_700_000_000_000L;
  private final AtomicLong clock = new AtomicLong(NOW);
  private final ReplayGuard guard =
      new ReplayGuard(Set.of("node-b", "node-c"), Duration.ofSeconds(30), clock::get);

  @Test
  void sameAdvertTwiceIsAcceptedOnceThenReplayed() {
    Advert a = advert("node-b", 100, 1, NOW);
    assertEquals(Verdict.accept(a), guard.admit(a));
    assertEquals(Verdict.reject(RejectReason.REPLAYED), guard.admit(a));
  }

  @Test
  void onlyAHigherSeqOfTheSameBootIsAccepted() {
    assertAccepted(advert("node-b", 100, 5, NOW));
    assertEquals(Verdict.reject(RejectReason.REPLAYED), guard.admit(advert("node-b", 100, 4, NOW)));
    assertAccepted(advert("node-b", 100, 6, NOW));
    assertAccepted(advert("node-b", 100, 60, NOW));
  }

  @Test
  void newerBootStartsOverAndOlderBootIsReplayed() {
    assertAccepted(advert("node-b", 100, 500, NOW));
    assertAccepted(advert("node-b", 200, 1, NOW));
    assertEquals(
        Verdict.reject(RejectReason.REPLAYED), guard.admit(advert("node-b", 100, 501, NOW)));
    assertEquals(
        Verdict.reject(RejectReason.REPLAYED), guard.admit(advert("node-b", 100, 9_999, NOW)));
    assertAccepted(advert("node-b", 200, 2, NOW));
  }

  @Test
  void advertsOutsideTheWindowAreStaleInBothDirections() {
    assertEquals(
        Verdict.reject(RejectReason.STALE), guard.admit(advert("node-b", 1, 1, NOW - 30_001)));
    assertEquals(
        Verdict.reject(RejectReason.STALE), guard.admit(advert("node-b", 1, 2, NOW + 30_001)));
    assertEquals(
        Verdict.reject(RejectReason.STALE), guard.admit(advert("node-b", 1, 3, Long.MIN_VALUE)));
    assertEquals(
        Verdict.reject(RejectReason.STALE), guard.admit(advert("node-b", 1, 4, Long.MAX_VALUE)));
    assertAccepted(advert("node-b", 1, 5, NOW - 30_000));
    assertAccepted(advert("node-c", 1, 1, NOW + 30_000));
  }

  @Test
  void staleAdvertDoesNotAdvanceTheSender() {
    assertEquals(
        Verdict.reject(RejectReason.STALE), guard.admit(advert("node-b", 1, 50, NOW - 60_000)));
    assertAccepted(advert("node-b", 1, 2, NOW));
  }

  @Test
  void windowFollowsTheClock() {
    Advert a = advert("node-b", 1, 1, NOW);
    clock.set(NOW + 31_000);
    assertEquals(Verdict.reject(RejectReason.STALE), guard.admit(a));
  }

  @Test
  void unknownSenderIsRejectedAndNotTracked() {
    assertEquals(
        Verdict.reject(RejectReason.UNKNOWN_PEER), guard.admit(advert("node-x", 1, 1, NOW)));
    assertEquals(
        Verdict.reject(RejectReason.UNKNOWN_PEER), guard.admit(advert("node-x", 1, 2, NOW)));
  }

  @Test
  void peersAreTrackedIndependently() {
    assertAccepted(advert("node-b", 100, 10, NOW));
    assertAccepted(advert("node-c", 50, 1, NOW));
    assertEquals(
        Verdict.reject(RejectReason.REPLAYED), guard.admit(advert("node-b", 100, 10, NOW)));
  }

  private void assertAccepted(Advert a) {
    assertEquals(Verdict.accept(a), guard.admit(a));
  }
}
