package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.TestAdverts.advert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.redisha.config.HostPort;
import dev.redisha.coordination.peer.PeerLinkProblem.Kind;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class PeerLinkWatchTest {
  private static final long INTERVAL = 100;
  private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 7402);
  private static final InetSocketAddress C = new InetSocketAddress("127.0.0.1", 7403);
  private static final InetSocketAddress STRANGER = new InetSocketAddress("192.0.2.9", 7402);
  private final AtomicLong monotonic = new AtomicLong(50_000);
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final PeerLinkRules rules = new PeerLinkRules(INTERVAL, 3, 2_000);
  private final ReplayGuard guard =
      new ReplayGuard("node-a", 1, Set.of("node-b", "node-c"), rules.claimWindow(), monotonic::get);
  private final PeerLinkWatch watch =
      new PeerLinkWatch(
          rules,
          guard,
          new PeerAddresses(Map.of("node-b", new HostPort("127.0.0.1", 7402), "node-c", new HostPort("127.0.0.1", 7403))),
          monotonic::get,
          wall::get);
  private ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void captureLogs() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(AdvertTransport.class)).addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    ((Logger) LoggerFactory.getLogger(AdvertTransport.class)).detachAppender(logs);
  }

  @Test
  void macFailuresFromAPeersAddressForThreeIntervalsAreReportedOnceAndClearedByAnAuthenticAdvert() {
    for (int i = 0; i < 3; i++) {
      watch.badMac(B);
      monotonic.addAndGet(INTERVAL);
    }
    assertEquals(List.of(), watch.problems(), "two intervals of failures are not yet a problem");
    for (int i = 0; i < 20; i++) {
      watch.badMac(B);
      monotonic.addAndGet(INTERVAL);
    }
    List<PeerLinkProblem> problems = watch.problems();
    assertEquals(1, problems.size(), problems.toString());
    PeerLinkProblem p = problems.get(0);
    assertEquals("node-b", p.nodeId());
    assertEquals(Kind.AUTH_FAILING, p.kind());
    assertTrue(p.message().startsWith("peer node-b's adverts fail authentication: the group keys differ (23 dropped since "),
        p.message());
    assertEquals(50_000, p.sinceMonotonicMillis());
    assertEquals(1, count("fail authentication"), "logged once, not per datagram");
    assertEquals(1L, watch.onsets().get(Kind.AUTH_FAILING));

    watch.authentic("node-b");

    assertEquals(List.of(), watch.problems());
    assertEquals(1, count("authenticate again"));
  }

  @Test
  void anAuthenticAdvertBetweenFailuresRestartsTheCount() {
    for (int i = 0; i < 10; i++) {
      watch.badMac(B);
      monotonic.addAndGet(INTERVAL);
      if (i % 2 == 1) {
        watch.authentic("node-b");
      }
    }
    assertEquals(List.of(), watch.problems());
  }

  @Test
  void macFailuresFromAnAddressThatIsNoPeersAreNotBlamedOnAPeer() {
    for (int i = 0; i < 10; i++) {
      watch.badMac(STRANGER);
      monotonic.addAndGet(INTERVAL);
    }
    assertEquals(List.of(), watch.problems());
  }

  @Test
  void afterAPeerIsHeardFromANattedAddressItsMacFailuresFromThereAreItsOwn() {
    InetSocketAddress natted = new InetSocketAddress("198.51.100.7", 40_001);
    watch.delivered(advert("node-c", 1, 1, wall.get()), natted);
    for (int i = 0; i < 5; i++) {
      watch.badMac(natted);
      monotonic.addAndGet(INTERVAL);
    }
    assertEquals(Kind.AUTH_FAILING, watch.problems().get(0).kind());
    assertEquals("node-c", watch.problems().get(0).nodeId());
  }

  @ParameterizedTest
  @ValueSource(longs = {60_000, -60_000})
  void clockSkewOfAMinuteIsReportedOnceWithItsSize(long peerAheadBy) {
    for (int i = 0; i < 30; i++) {
      // Delays of 0..900 ms, as on a starved host: the smallest counts.
      long delay = (i * 397) % 1_000;
      wall.addAndGet(INTERVAL);
      Advert a = advert("node-b", 1, i + 1, wall.get() + peerAheadBy - delay);
      wall.addAndGet(0);
      watch.delivered(a.stamped(1, i + 1, wall.get() + peerAheadBy - delay), B);
    }
    List<PeerLinkProblem> problems = watch.problems();
    assertEquals(1, problems.size(), problems.toString());
    assertEquals(Kind.CLOCK_SKEW, problems.get(0).kind());
    String side = peerAheadBy > 0 ? "ahead of" : "behind";
    assertTrue(problems.get(0).message().startsWith("clock skew with node-b: 60 s (node-b's wall clock is " + side),
        problems.get(0).message());
    assertEquals(1, count("clock skew with node-b"), "logged once");
  }

  @Test
  void aSkewBelowTheThresholdIsNotReportedAndAFixedClockClearsTheReport() {
    for (int i = 0; i < 20; i++) {
      watch.delivered(advert("node-b", 1, i + 1, wall.get() - 1_500), B);
    }
    assertEquals(List.of(), watch.problems());
    for (int i = 0; i < 20; i++) {
      watch.delivered(advert("node-b", 1, i + 1, wall.get() - 30_000), B);
    }
    assertEquals("clock skew with node-b: 30 s", watch.problems().get(0).message().substring(0, 28));
    for (int i = 0; i < 20; i++) {
      watch.delivered(advert("node-b", 1, i + 1, wall.get()), B);
    }
    assertEquals(List.of(), watch.problems());
    assertEquals(1, count("agrees with this host's again"));
  }

  @Test
  void aPeerWhoseAdvertsNeverEchoUsIsReportedAsNotHearingUs() {
    watch.unconfirmed(advert("node-b", 1, 1, wall.get()), B);
    monotonic.addAndGet(INTERVAL);
    watch.delivered(advert("node-b", 1, 2, wall.get()), B);
    assertEquals(List.of(), watch.problems(), "one unconfirmed round at start is normal");
    assertEquals(0, logs.list.size());

    for (int i = 0; i < 5; i++) {
      watch.unconfirmed(advert("node-b", 1, 3 + i, wall.get()), B);
      monotonic.addAndGet(INTERVAL);
    }
    assertEquals(Kind.NOT_HEARD_BY_PEER, watch.problems().get(0).kind());
    assertTrue(watch.problems().get(0).message().startsWith("peer node-b does not hear this agent"));
    watch.delivered(advert("node-b", 1, 9, wall.get()), B);
    assertEquals(List.of(), watch.problems());
  }

  @Test
  void aDuplicateNodeIdIsReportedWithBothAddressesAndClearsAfterTheWindow() {
    Map<String, Long> us = Map.of("node-a", 1L);
    guard.admit(advert("node-b", 100, 1, 0).withHeardBoots(us), B);
    guard.admit(advert("node-b", 200, 1, 0).withHeardBoots(us), C);
    guard.admit(advert("node-b", 100, 2, 0).withHeardBoots(us), B);
    guard.admit(advert("node-b", 200, 2, 0).withHeardBoots(us), C);
    watch.tick();
    PeerLinkProblem p = watch.problems().get(0);
    assertEquals(Kind.DUPLICATE_NODE_ID, p.kind());
    assertEquals("two agents claim node id node-b: 127.0.0.1:7402 (boot 100) and 127.0.0.1:7403 (boot 200);"
        + " none of its adverts are believed until only one is left", p.message());

    monotonic.addAndGet(rules.claimWindow().toMillis());
    assertEquals(List.of(), watch.problems());
    assertEquals(1, count("two agents claim"));
    assertEquals(1, count("only one agent claims node id node-b"));
  }

  private long count(String text) {
    return logs.list.stream().filter(e -> e.getFormattedMessage().contains(text)).count();
  }
}
