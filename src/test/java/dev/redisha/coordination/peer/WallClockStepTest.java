package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.TestAdverts.GROUP;
import static dev.redisha.coordination.peer.TestAdverts.KEY;
import static dev.redisha.coordination.peer.TestAdverts.advert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.redis.FreePorts;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a wall-clock step of an hour, either way, on either host, while two agents exchange
 * adverts must not make the healthy peer look dead. A peer is dead when no advert of it has been
 * accepted for the down time, measured on the receiver's monotonic clock (PeerCoordinator stamps
 * each accepted advert with the agent's clock, {@code System.nanoTime()} in Agent). So what a
 * step may not do is stop adverts from being accepted: neither the sender's sequence (bootId is
 * read once at start) nor the receiver's replay checks may read the wall clock.
 */
class WallClockStepTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long HOUR = 3_600_000;
  private static final PeerLinkRules RULES = new PeerLinkRules(50, 3, 2_000);
  private static final LongSupplier MONOTONIC = () -> System.nanoTime() / 1_000_000;

  /** An accepted advert and when it arrived on the monotonic clock, as PeerCoordinator keeps it. */
  private final List<PeerReport> atA = new CopyOnWriteArrayList<>();
  private final List<PeerReport> atB = new CopyOnWriteArrayList<>();

  @Test
  void anHourOfWallClockStepOnEitherHostLeavesThePeerHeard() throws IOException {
    AtomicLong wallA = new AtomicLong();
    AtomicLong wallB = new AtomicLong();
    int portA = FreePorts.udp();
    int portB = FreePorts.udp();
    try (AdvertTransport a = open(portA, "node-a", "node-b", portB, wallA, atA);
        AdvertTransport b = open(portB, "node-b", "node-a", portA, wallB, atB)) {
      exchangeUntilBothHeard(a, b, "before any step");
      // The first advert of each side is UNCONFIRMED (one round trip at start); none after it may drop.
      long droppedAtA = totalDropped(a);
      long droppedAtB = totalDropped(b);

      long[][] steps = {{-HOUR, 0}, {0, +HOUR}, {+HOUR, -HOUR}, {-HOUR, +HOUR}};
      for (long[] step : steps) {
        wallA.addAndGet(step[0]);
        wallB.addAndGet(step[1]);
        exchangeUntilBothHeard(a, b, "after stepping a's wall clock to " + wallA.get() / 60_000 + " min and b's to "
            + wallB.get() / 60_000 + " min");
        // The step reached what b sends (sentAtMillis, for the skew report), so the test is not vacuous.
        long bAhead = atA.get(atA.size() - 1).advert().sentAtMillis() - System.currentTimeMillis();
        assertTrue(Math.abs(bAhead - wallB.get()) < 60_000, "b's adverts say its clock is " + bAhead + " ms ahead");
      }

      assertEquals(droppedAtA, totalDropped(a), "a dropped b's adverts: " + a.droppedCounts());
      assertEquals(droppedAtB, totalDropped(b), "b dropped a's adverts: " + b.droppedCounts());
      assertEquals(1, atA.stream().map(r -> r.advert().bootId()).distinct().count(), "b's boot id moved with its clock");
      assertArrivalsNeverGoBack(atA);
      assertArrivalsNeverGoBack(atB);
    }
  }

  @Test
  void aPeerRestartedWithItsClockAnHourBackIsHeardAsANewStart(@TempDir Path stateB) throws IOException {
    AtomicLong wallA = new AtomicLong();
    AtomicLong wallB = new AtomicLong();
    int portA = FreePorts.udp();
    int portB = FreePorts.udp();
    try (AdvertTransport a = open(portA, "node-a", "node-b", portB, wallA, atA)) {
      long firstBoot;
      try (AdvertTransport b = open(portB, "node-b", "node-a", portA, wallB, bootFrom(stateB, wallB), atB)) {
        exchangeUntilBothHeard(a, b, "before b restarts");
        firstBoot = b.bootId();
      }
      wallB.addAndGet(-HOUR);
      long replayedBefore = a.droppedCounts().getOrDefault(RejectReason.REPLAYED, 0L);
      try (AdvertTransport b = open(portB, "node-b", "node-a", portA, wallB, bootFrom(stateB, wallB), atB)) {
        exchangeUntilBothHeard(a, b, "after b restarted with its clock an hour back");
        assertTrue(b.bootId() > firstBoot, "boot " + b.bootId() + " after " + firstBoot);
        assertEquals(b.bootId(), atA.get(atA.size() - 1).advert().bootId(), "a believes b's new start");
      }
      assertEquals(replayedBefore, a.droppedCounts().getOrDefault(RejectReason.REPLAYED, 0L),
          "none of the new start's adverts was taken for a replay: " + a.droppedCounts());
    }
  }

  @Test
  void withoutItsStateDirectoryTheSameRestartIsTakenForReplays() throws IOException {
    AtomicLong wallA = new AtomicLong();
    AtomicLong wallB = new AtomicLong();
    int portA = FreePorts.udp();
    int portB = FreePorts.udp();
    try (AdvertTransport a = open(portA, "node-a", "node-b", portB, wallA, atA)) {
      try (AdvertTransport b = open(portB, "node-b", "node-a", portA, wallB, atB)) {
        exchangeUntilBothHeard(a, b, "before b restarts");
      }
      wallB.addAndGet(-HOUR);
      int heard = atA.size();
      try (AdvertTransport b = open(portB, "node-b", "node-a", portA, wallB, atB)) {
        Await.until("a to drop b's new start as replays", WAIT, () -> {
          b.send(advert("node-b", 0, 0, 0));
          return a.droppedCounts().getOrDefault(RejectReason.REPLAYED, 0L) >= 3;
        });
      }
      assertEquals(heard, atA.size(), "nothing of the new start was believed");
    }
  }

  /** A sequencer whose bootId comes from {@link BootIds} in {@code stateDir}, read at the given clock. */
  private static AdvertSequencer bootFrom(Path stateDir, AtomicLong wallOffset) {
    LongSupplier wall = () -> System.currentTimeMillis() + wallOffset.get();
    return new AdvertSequencer(BootIds.next(stateDir, wall.getAsLong()), wall);
  }

  /** Each side sends until it has accepted a new advert of the other (bounded by {@link #WAIT}). */
  private void exchangeUntilBothHeard(AdvertTransport a, AdvertTransport b, String when) {
    int heardAtA = atA.size();
    int heardAtB = atB.size();
    Await.until("both peers hear each other " + when, WAIT, () -> {
      a.send(advert("node-a", 0, 0, 0));
      b.send(advert("node-b", 0, 0, 0));
      return atA.size() > heardAtA + 2 && atB.size() > heardAtB + 2;
    });
  }

  private static void assertArrivalsNeverGoBack(List<PeerReport> reports) {
    for (int i = 1; i < reports.size(); i++) {
      assertTrue(reports.get(i).receivedAtMillis() >= reports.get(i - 1).receivedAtMillis(),
          "arrival times went back: " + reports.get(i - 1) + " then " + reports.get(i));
    }
  }

  private static AdvertTransport open(int port, String self, String peer, int peerPort, AtomicLong wallOffset,
      List<PeerReport> heard) throws IOException {
    LongSupplier wall = () -> System.currentTimeMillis() + wallOffset.get();
    return open(port, self, peer, peerPort, wallOffset, new AdvertSequencer(wall), heard);
  }

  private static AdvertTransport open(int port, String self, String peer, int peerPort, AtomicLong wallOffset,
      AdvertSequencer sequencer, List<PeerReport> heard) throws IOException {
    AdvertTransport.Setup setup = AdvertTransport.Setup.of(new HostPort("127.0.0.1", port), self,
            Map.of(peer, new HostPort("127.0.0.1", peerPort)), new AdvertCodec(GROUP, KEY), RULES)
        .withClocks(MONOTONIC, () -> System.currentTimeMillis() + wallOffset.get())
        .withSequencer(sequencer);
    return AdvertTransport.open(setup, x -> heard.add(new PeerReport(x, MONOTONIC.getAsLong())));
  }

  private static long totalDropped(AdvertTransport t) {
    return t.droppedCounts().values().stream().mapToLong(Long::longValue).sum();
  }
}
