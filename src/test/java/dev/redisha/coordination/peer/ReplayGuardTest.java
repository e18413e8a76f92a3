package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.TestAdverts.advert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
  private static final long NOW = 1_700_000_000_000L;
  private static final long SELF_BOOT = NOW - 5_000;
  private static final Duration WINDOW = Duration.ofMillis(900);
  private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 7402);
  private static final InetSocketAddress IMPOSTOR = new InetSocketAddress("127.0.0.1", 7412);
  private final AtomicLong monotonic = new AtomicLong(1_000);
  private final ReplayGuard guard = guard(SELF_BOOT);

  private ReplayGuard guard(long selfBoot) {
    return new ReplayGuard("node-a", selfBoot, Set.of("node-b", "node-c"), WINDOW, monotonic::get);
  }

  /** An advert of the peer that has heard this agent's current boot. */
  private static Advert echoing(String nodeId, long bootId, long seq) {
    return advert(nodeId, bootId, seq, NOW).withHeardBoots(Map.of("node-a", SELF_BOOT));
  }

  @Test
  void sameAdvertTwiceIsAcceptedOnceThenReplayed() {
    Advert a = echoing("node-b", 100, 1);
    assertEquals(Verdict.accept(a), guard.admit(a, B));
    assertEquals(Verdict.reject(RejectReason.REPLAYED), guard.admit(a, B));
  }

  @Test
  void onlyAHigherSeqOfTheSameBootIsAccepted() {
    assertAccepted(echoing("node-b", 100, 5), B);
    assertRejected(RejectReason.REPLAYED, echoing("node-b", 100, 4), B);
    assertAccepted(echoing("node-b", 100, 6), B);
    assertAccepted(echoing("node-b", 100, 60), B);
  }

  @Test
  void newerBootStartsOverAndOlderBootIsReplayed() {
    assertAccepted(echoing("node-b", 100, 500), B);
    assertAccepted(echoing("node-b", 200, 1), B);
    assertRejected(RejectReason.REPLAYED, echoing("node-b", 100, 501), B);
    assertRejected(RejectReason.REPLAYED, echoing("node-b", 100, 9_999), B);
    assertAccepted(echoing("node-b", 200, 2), B);
  }

  @Test
  void untilThePeerEchoesOurBootItsAdvertsAreUnconfirmedButItsBootIsEchoedBack() {
    assertRejected(RejectReason.UNCONFIRMED, advert("node-b", 100, 1, NOW), B);
    assertEquals(Map.of("node-b", 100L), guard.heardBoots());
    assertAccepted(echoing("node-b", 100, 2), B);
  }

  @Test
  void anEchoOfAnEarlierBootOfOursIsUnconfirmed() {
    Advert echoesOldBoot = advert("node-b", 100, 1, NOW).withHeardBoots(Map.of("node-a", SELF_BOOT - 1));
    assertRejected(RejectReason.UNCONFIRMED, echoesOldBoot, B);
  }

  @Test
  void aPacketCapturedBeforeThisAgentRestartedIsNeverDelivered() {
    Advert captured = echoing("node-b", 100, 7);
    assertAccepted(captured, B);

    ReplayGuard afterRestart = guard(SELF_BOOT + 60_000);
    assertEquals(Verdict.reject(RejectReason.UNCONFIRMED), afterRestart.admit(captured, B));
    assertEquals(Verdict.reject(RejectReason.REPLAYED), afterRestart.admit(captured, B));
  }

  @Test
  void theSendersClockIsNeverComparedWithOurs() {
    // A skew of a minute either way, or an absurd sentAt, changes nothing.
    assertAccepted(echoing("node-b", 100, 1).stamped(100, 1, NOW - 60_000), B);
    assertAccepted(echoing("node-b", 100, 2).stamped(100, 2, NOW + 60_000), B);
    assertAccepted(echoing("node-b", 100, 3).stamped(100, 3, Long.MIN_VALUE), B);
    assertAccepted(echoing("node-c", 5, 1).stamped(5, 1, Long.MAX_VALUE), B);
  }

  @Test
  void unknownSenderIsRejectedAndNotTracked() {
    assertRejected(RejectReason.UNKNOWN_PEER, echoing("node-x", 1, 1), B);
    assertRejected(RejectReason.UNKNOWN_PEER, echoing("node-x", 1, 2), B);
    assertEquals(Map.of(), guard.heardBoots());
  }

  @Test
  void peersAreTrackedIndependently() {
    assertAccepted(echoing("node-b", 100, 10), B);
    assertAccepted(echoing("node-c", 50, 1), IMPOSTOR);
    assertRejected(RejectReason.REPLAYED, echoing("node-b", 100, 10), B);
    assertEquals(Map.of("node-b", 100L, "node-c", 50L), guard.heardBoots());
  }

  @Test
  void aCaptureSentFromAnotherAddressIsStillAReplayNotASecondAgent() {
    assertAccepted(echoing("node-b", 100, 10), B);
    assertRejected(RejectReason.REPLAYED, echoing("node-b", 100, 9), IMPOSTOR);
    assertTrue(guard.conflicts().isEmpty());
    // The same boot with a higher seq from a new address is the peer moving (NAT rebinding).
    assertAccepted(echoing("node-b", 100, 11), IMPOSTOR);
  }

  @Test
  void twoAgentsUnderOneNodeIdAreAConflictAndNeitherIsBelieved() {
    assertAccepted(echoing("node-b", 100, 1), B);
    // One packet from a second address is refused but is not yet a second agent.
    assertRejected(RejectReason.DUPLICATE_NODE_ID, echoing("node-b", 200, 1), IMPOSTOR);
    assertTrue(guard.conflicts().isEmpty());
    assertAccepted(echoing("node-b", 100, 2), B);
    // Its second, in order, is.
    assertRejected(RejectReason.DUPLICATE_NODE_ID, echoing("node-b", 200, 2), IMPOSTOR);
    assertRejected(RejectReason.DUPLICATE_NODE_ID, echoing("node-b", 100, 3), B);
    assertEquals(
        Map.of("node-b", List.of(new ReplayGuard.Claimant(B, 100), new ReplayGuard.Claimant(IMPOSTOR, 200))),
        guard.conflicts());
    assertAccepted(echoing("node-c", 7, 1), IMPOSTOR);
  }

  @Test
  void afterAWindowWithOneAddressTheRealNodeIsBelievedAgainThoughTheImpostorsBootWasHigher() {
    assertAccepted(echoing("node-b", 100, 1), B);
    assertRejected(RejectReason.DUPLICATE_NODE_ID, echoing("node-b", 200, 1), IMPOSTOR);
    assertAccepted(echoing("node-b", 100, 2), B);
    assertRejected(RejectReason.DUPLICATE_NODE_ID, echoing("node-b", 200, 2), IMPOSTOR);
    // The impostor stops; the real node keeps sending, and is not believed for one window.
    long seq = 3;
    for (int i = 0; i < 8; i++) {
      monotonic.addAndGet(100);
      assertRejected(RejectReason.DUPLICATE_NODE_ID, echoing("node-b", 100, seq++), B);
    }
    monotonic.addAndGet(100);
    assertTrue(guard.conflicts().isEmpty());
    assertAccepted(echoing("node-b", 100, seq), B);
  }

  @Test
  void anImpostorHeardFirstGivesWayToTheRealNodeOnceItStops() {
    // This agent started while the impostor, started later than the real node, was running.
    assertAccepted(echoing("node-b", 200, 1), IMPOSTOR);
    assertRejected(RejectReason.REPLAYED, echoing("node-b", 100, 40), B);
    assertAccepted(echoing("node-b", 200, 2), IMPOSTOR);
    assertRejected(RejectReason.DUPLICATE_NODE_ID, echoing("node-b", 100, 41), B);
    monotonic.addAndGet(WINDOW.toMillis());
    assertAccepted(echoing("node-b", 100, 42), B);
    // The real node now owns the id: the impostor's packets, replayed, start a new conflict.
    assertRejected(RejectReason.DUPLICATE_NODE_ID, echoing("node-b", 200, 2), IMPOSTOR);
  }

  @Test
  void anOlderBootFromTheSameAddressStaysAReplayEvenAfterSilence() {
    assertAccepted(echoing("node-b", 200, 1), B);
    monotonic.addAndGet(10 * WINDOW.toMillis());
    assertRejected(RejectReason.REPLAYED, echoing("node-b", 100, 1_000), B);
  }

  @Test
  void aSingleReplayedPacketFromAnotherAddressIsAReplayNotAConflict() {
    assertAccepted(echoing("node-b", 100, 5), B);
    assertRejected(RejectReason.REPLAYED, echoing("node-b", 1, 1), IMPOSTOR);
    assertAccepted(echoing("node-b", 100, 6), B);
    assertTrue(guard.conflicts().isEmpty());
  }

  @Test
  void manySpoofedAddressesAreRememberedOnlyUpToTheLimit() {
    assertAccepted(echoing("node-b", 100, 1), B);
    for (int port = 1; port <= 50; port++) {
      InetSocketAddress spoofed = new InetSocketAddress("127.0.0.1", port);
      guard.admit(echoing("node-b", 1_000 + port, 1), spoofed);
      guard.admit(echoing("node-b", 1_000 + port, 2), spoofed);
    }
    assertEquals(ReplayGuard.MAX_SOURCES_PER_NODE, guard.conflicts().get("node-b").size());
  }

  private void assertAccepted(Advert a, InetSocketAddress from) {
    assertEquals(Verdict.accept(a), guard.admit(a, from));
  }

  private void assertRejected(RejectReason reason, Advert a, InetSocketAddress from) {
    assertEquals(Verdict.reject(reason), guard.admit(a, from));
  }
}
