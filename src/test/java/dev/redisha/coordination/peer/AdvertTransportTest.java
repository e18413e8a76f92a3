package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.TestAdverts.GROUP;
import static dev.redisha.coordination.peer.TestAdverts.KEY;
import static dev.redisha.coordination.peer.TestAdverts.OTHER_KEY;
import static dev.redisha.coordination.peer.TestAdverts.advert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.redisha.config.CoordinationConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class AdvertTransportTest {
  @org.junit.jupiter.api.io.TempDir java.nio.file.Path stateDirs;

  private static final String LOOPBACK = "127.0.0.1";
  private static final HostPort ANY_PORT = new HostPort(LOOPBACK, 0);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Queue<Advert> received = new ConcurrentLinkedQueue<>();
  private DatagramChannel raw;

  @BeforeEach
  void openRawSender() throws IOException {
    raw = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
  }

  @AfterEach
  void closeRawSender() throws IOException {
    raw.close();
  }

  @Test
  void twoTransportsThatEachSendOnceHearEachOtherAfterOneRoundTrip() throws IOException {
    Queue<Advert> atA = new ConcurrentLinkedQueue<>();
    Queue<Advert> atB = new ConcurrentLinkedQueue<>();
    int portA = freePort();
    int portB = freePort();
    try (AdvertTransport a = open(portA, "node-a", Map.of("node-b", portB), KEY, atA::add);
        AdvertTransport b = open(portB, "node-b", Map.of("node-a", portA), KEY, atB::add)) {
      Advert fromA = a.send(advert("node-a", 0, 0, 0));
      Advert fromB = b.send(advert("node-b", 0, 0, 0));

      // Neither first advert echoes the other's boot; each side answers a newly heard boot at
      // once, so no further send is needed.
      Await.until("B hears A", WAIT, () -> !atB.isEmpty());
      Await.until("A hears B", WAIT, () -> !atA.isEmpty());
      assertEquals(fromA.bootId(), atB.peek().bootId());
      assertEquals(Map.of("node-b", b.bootId()), atB.peek().heardBoots());
      assertEquals(Map.of("node-a", a.bootId()), atA.peek().heardBoots());
      assertEquals(1, fromA.seq());
      assertEquals(1, fromB.seq());
      assertTrue(Math.abs(System.currentTimeMillis() - fromA.sentAtMillis()) < 60_000);
      assertTrue(a.problems().isEmpty() && b.problems().isEmpty(), a.problems() + " " + b.problems());
    }
  }

  @Test
  void transportsBuiltFromNodeConfigsExchangeAdverts() throws IOException {
    Queue<Advert> atA = new ConcurrentLinkedQueue<>();
    Queue<Advert> atB = new ConcurrentLinkedQueue<>();
    int portA = freePort();
    int portB = freePort();
    try (AdvertTransport a =
            AdvertTransport.open(nodeConfig("node-a", portA, "node-b", portB), atA::add);
        AdvertTransport b =
            AdvertTransport.open(nodeConfig("node-b", portB, "node-a", portA), atB::add)) {
      a.send(advert("node-a", 0, 0, 0));
      b.send(advert("node-b", 0, 0, 0));

      assertEquals(a.bootId() + "\n", java.nio.file.Files.readString(stateDirs.resolve("node-a/boot-id")),
          "the start's bootId is kept for the next start");
      Await.until("B hears A", WAIT, () -> atB.stream().anyMatch(x -> x.bootId() == a.bootId()));
      Await.until("A hears B", WAIT, () -> atA.stream().anyMatch(x -> x.bootId() == b.bootId()));
    }
  }

  @Test
  void sameDatagramTwiceIsAcceptedOnceAndCountedReplayedOnce() throws IOException {
    try (AdvertTransport receiver = receiver()) {
      Advert advert = echoing(receiver, "node-b", 1, 1);
      byte[] packet = codec().encode(advert);
      sendRaw(packet, receiver);
      sendRaw(packet, receiver);

      Await.until("the copy is counted", WAIT, () -> dropped(receiver, RejectReason.REPLAYED) == 1);
      assertEquals(1, receiver.acceptedCount());
      assertEquals(List.of(advert), List.copyOf(received));
    }
  }

  @Test
  void olderBootAfterNewerBootIsReplayed() throws IOException {
    try (AdvertTransport receiver = receiver()) {
      sendRaw(codec().encode(echoing(receiver, "node-b", 200, 1)), receiver);
      Await.until("new boot accepted", WAIT, () -> receiver.acceptedCount() == 1);
      sendRaw(codec().encode(echoing(receiver, "node-b", 100, 5)), receiver);

      Await.until("old boot dropped", WAIT, () -> dropped(receiver, RejectReason.REPLAYED) == 1);
    }
  }

  @Test
  void aPacketCapturedBeforeTheReceiverRestartedIsNotDeliveredAfterIt() throws IOException {
    int port = freePort();
    HostPort rawAddress = new HostPort(LOOPBACK, raw.socket().getLocalPort());
    byte[] captured;
    try (AdvertTransport before = open(port, "node-a", Map.of("node-b", rawAddress), KEY, received::add)) {
      captured = codec().encode(echoing(before, "node-b", 1, 1));
      sendRaw(captured, before);
      Await.until("accepted before the restart", WAIT, () -> before.acceptedCount() == 1);
    }
    received.clear();
    try (AdvertTransport after = open(port, "node-a", Map.of("node-b", rawAddress), KEY, received::add)) {
      sendRaw(captured, after);

      Await.until("dropped after it", WAIT, () -> dropped(after, RejectReason.UNCONFIRMED) == 1);
      assertEquals(0, after.acceptedCount());
      assertTrue(received.isEmpty());
    }
  }

  @Test
  void aCapturedPacketReplayedFromAnyAddressIsRejected() throws IOException {
    Queue<Advert> atA = new ConcurrentLinkedQueue<>();
    int portA = freePort();
    int portB = freePort();
    try (AdvertTransport a = open(portA, "node-a", Map.of("node-b", portB), KEY, atA::add);
        AdvertTransport b = open(portB, "node-b", Map.of("node-a", portA), KEY, x -> {})) {
      a.send(advert("node-a", 0, 0, 0));
      b.send(advert("node-b", 0, 0, 0));
      Await.until("A hears B", WAIT, () -> !atA.isEmpty());
      Advert heard = atA.peek();
      // Encoding is deterministic, so this is the datagram b sent, byte for byte.
      byte[] capture = codec().encode(heard);

      sendRaw(capture, a);
      Await.until("replay from another address dropped", WAIT, () -> dropped(a, RejectReason.REPLAYED) == 1);
      assertEquals(1, atA.stream().filter(heard::equals).count(), "delivered once, not again");
      assertEquals(0, dropped(a, RejectReason.DUPLICATE_NODE_ID), "one boot is one agent, not two");
      assertTrue(a.problems().isEmpty(), a.problems().toString());
    }
  }

  @Test
  void everyKindOfBadAdvertIsDroppedAndCounted() throws IOException {
    try (AdvertTransport receiver = receiver()) {
      sendRaw(new AdvertCodec(GROUP, OTHER_KEY).encode(echoing(receiver, "node-b", 1, 1)), receiver);
      byte[] flipped = codec().encode(echoing(receiver, "node-b", 1, 2));
      flipped[20] ^= 1;
      sendRaw(flipped, receiver);
      sendRaw(codec().encode(advert("node-b", 1, 3, System.currentTimeMillis())), receiver);
      sendRaw(codec().encode(echoing(receiver, "node-x", 1, 1)), receiver);
      AdvertCodec otherGroup = new AdvertCodec("other", KEY);
      sendRaw(otherGroup.encode(TestAdverts.withGroup(echoing(receiver, "node-b", 1, 4), "other")), receiver);
      sendRaw(new byte[0], receiver);

      Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
      for (RejectReason r : RejectReason.values()) {
        expected.put(r, 0L);
      }
      expected.put(RejectReason.BAD_MAC, 2L);
      expected.put(RejectReason.UNCONFIRMED, 1L);
      expected.put(RejectReason.UNKNOWN_PEER, 1L);
      expected.put(RejectReason.WRONG_GROUP, 1L);
      expected.put(RejectReason.TOO_SHORT, 1L);
      Await.until("all six dropped", WAIT, () -> expected.equals(receiver.droppedCounts()));
      assertEquals(0, receiver.acceptedCount());
      assertTrue(received.isEmpty());
    }
  }

  @Test
  void afterAFloodOfGarbageAValidAdvertIsStillAccepted() throws IOException {
    ListAppender<ILoggingEvent> logs = captureTransportLogs();
    int senderPort = freePort();
    try (AdvertTransport receiver =
            open(0, "node-a", Map.of("node-b", new HostPort(LOOPBACK, senderPort)), KEY, received::add);
        AdvertTransport sender =
            open(senderPort, "node-b", Map.of("node-a", hostPort(receiver)), KEY, a -> {})) {
      Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
      for (RejectReason r : RejectReason.values()) {
        expected.put(r, 0L);
      }
      AdvertCodec local = codec();
      Random random = new Random(42L);
      int flood = 10_000;
      for (int i = 0; i < flood; i++) {
        byte[] garbage = garbage(random, i);
        // The receiver reads at most MAX_PACKET_BYTES + 1 bytes of a datagram.
        int seen = Math.min(garbage.length, AdvertCodec.MAX_PACKET_BYTES + 1);
        expected.merge(local.decode(garbage, 0, seen).reason(), 1L, Long::sum);
        sendRaw(garbage, receiver);
        // Keep the kernel's receive buffer from overflowing, so every datagram is counted.
        long sent = i + 1;
        if (sent - totalDropped(receiver) >= 32) {
          Await.until("receiver catches up", WAIT, () -> sent - totalDropped(receiver) < 8);
        }
      }
      Await.until("all garbage counted", WAIT, () -> totalDropped(receiver) == flood);
      assertEquals(expected, receiver.droppedCounts());

      // The receiver must have sent once to answer a new boot, as the coordinator does at start.
      receiver.send(advert("node-a", 0, 0, 0));
      sender.send(advert("node-b", 0, 0, 0));

      Await.until("valid advert accepted", WAIT, () -> received.stream().anyMatch(x -> x.nodeId().equals("node-b")));
      long dropLines =
          logs.list.stream().filter(e -> e.getMessage().startsWith("dropped advert")).count();
      long reasonsSeen = expected.values().stream().filter(n -> n > 0).count();
      assertTrue(dropLines >= 1 && dropLines <= 2 * reasonsSeen, dropLines + " drop log lines");
      assertTrue(receiver.problems().isEmpty(), receiver.problems().toString());
    } finally {
      releaseTransportLogs(logs);
    }
  }

  @Test
  void listenerFailureDoesNotStopReceiving() throws IOException {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    Consumer<Advert> failsOnFirst =
        advert -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("listener bug");
          }
          received.add(advert);
        };
    try (AdvertTransport receiver = open(0, "node-a", Map.of("node-b", rawHostPort()), KEY, failsOnFirst)) {
      sendRaw(codec().encode(echoing(receiver, "node-b", 1, 1)), receiver);
      Await.until("first advert fails", WAIT, () -> receiver.listenerFailures() == 1);
      Advert second = echoing(receiver, "node-b", 1, 2);
      sendRaw(codec().encode(second), receiver);

      Await.until("second advert delivered", WAIT, () -> received.contains(second));
      assertEquals(2, receiver.acceptedCount());
    }
  }

  @Test
  void unreachablePeersAreCountedAndSkipped() throws IOException {
    int nobodyListens = freePort();
    int senderPort = freePort();
    try (AdvertTransport receiver =
            open(0, "node-a", Map.of("node-b", new HostPort(LOOPBACK, senderPort)), KEY, received::add);
        AdvertTransport sender =
            open(
                senderPort,
                "node-b",
                orderedMap(
                    "node-x", new HostPort(LOOPBACK, 0),
                    "node-y", new HostPort(LOOPBACK, nobodyListens),
                    "node-a", hostPort(receiver)),
                KEY,
                a -> {})) {
      receiver.send(advert("node-a", 0, 0, 0));
      sender.send(advert("node-b", 0, 0, 0));
      sender.send(advert("node-b", 0, 0, 0));

      Await.until("adverts reach the live peer", WAIT, () -> !received.isEmpty());
      assertTrue(sender.sendFailures() >= 2, sender.sendFailures() + " send failures");
    }
  }

  @Test
  void differentKeysAreReportedAsSuchAndTheReportClearsOnceTheKeyIsFixed() throws IOException {
    Queue<Advert> atA = new ConcurrentLinkedQueue<>();
    int portA = freePort();
    int portB = freePort();
    try (AdvertTransport a = open(portA, "node-a", Map.of("node-b", portB), KEY, atA::add);
        Pacer pacerA = new Pacer(a, "node-a")) {
      try (AdvertTransport wrongKey = open(portB, "node-b", Map.of("node-a", portA), OTHER_KEY, x -> {});
          Pacer pacerB = new Pacer(wrongKey, "node-b")) {
        Await.until("keys reported as different", WAIT, () -> has(a, "node-b", PeerLinkProblem.Kind.AUTH_FAILING));
        PeerLinkProblem p = a.problems().get(0);
        assertTrue(p.message().startsWith("peer node-b's adverts fail authentication: the group keys differ ("),
            p.message());
        assertTrue(atA.isEmpty());
        assertEquals(1L, a.problemOnsets().get(PeerLinkProblem.Kind.AUTH_FAILING));
      }
      try (AdvertTransport fixed = open(portB, "node-b", Map.of("node-a", portA), KEY, x -> {});
          Pacer pacerB = new Pacer(fixed, "node-b")) {
        Await.until("b heard again", WAIT, () -> atA.stream().anyMatch(x -> x.bootId() == fixed.bootId()));
        Await.until("report cleared", WAIT, () -> a.problems().isEmpty());
      }
    }
  }

  @Test
  void aSecondAgentUnderOneNodeIdIsReportedAndNeitherIsBelievedUntilItStops() throws IOException {
    Queue<Advert> atA = new ConcurrentLinkedQueue<>();
    int portA = freePort();
    int portB = freePort();
    int portImpostor = freePort();
    long now = System.currentTimeMillis();
    try (AdvertTransport a = open(portA, "node-a", Map.of("node-b", portB), KEY, atA::add);
        AdvertTransport b = open(portB, "node-b", Map.of("node-a", portA), KEY, x -> {});
        Pacer pacerA = new Pacer(a, "node-a");
        Pacer pacerB = new Pacer(b, "node-b")) {
      Await.until("a hears b", WAIT, () -> !atA.isEmpty());
      // Started later than the real b, so its bootId is higher, as in the report.
      AdvertTransport.Setup impostorSetup =
          setup(portImpostor, "node-b", Map.of("node-a", new HostPort(LOOPBACK, portA)), KEY)
              .withSequencer(new AdvertSequencer(() -> now + 60_000));
      try (AdvertTransport impostor = AdvertTransport.open(impostorSetup, x -> {});
          Pacer pacerImpostor = new Pacer(impostor, "node-b")) {
        Await.until("conflict reported", WAIT, () -> has(a, "node-b", PeerLinkProblem.Kind.DUPLICATE_NODE_ID));
        String message = a.problems().get(0).message();
        assertTrue(message.startsWith("two agents claim node id node-b: 127.0.0.1:"), message);
        assertTrue(message.contains("127.0.0.1:" + portB + " (boot " + b.bootId() + ")"), message);
        assertTrue(message.contains("127.0.0.1:" + portImpostor + " (boot " + impostor.bootId() + ")"), message);
        long delivered = a.acceptedCount();
        long duplicates = dropped(a, RejectReason.DUPLICATE_NODE_ID);
        Await.until("both keep sending", WAIT, () -> dropped(a, RejectReason.DUPLICATE_NODE_ID) > duplicates + 20);
        assertEquals(delivered, a.acceptedCount(), "nothing under node-b believed during the conflict");
        assertTrue(has(a, "node-b", PeerLinkProblem.Kind.DUPLICATE_NODE_ID));
      }
      long seqBefore = atA.stream().mapToLong(Advert::seq).max().orElseThrow();
      Await.until("conflict cleared", WAIT, () -> a.problems().isEmpty());
      Await.until("the real b believed again", WAIT,
          () -> atA.stream().anyMatch(x -> x.bootId() == b.bootId() && x.seq() > seqBefore));
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {60_000, -60_000})
  void aMinuteOfClockSkewIsReportedAndAdvertsStillFlow(long peerClockAhead) throws IOException {
    Queue<Advert> atA = new ConcurrentLinkedQueue<>();
    int portA = freePort();
    int portB = freePort();
    AdvertTransport.Setup skewed =
        setup(portB, "node-b", Map.of("node-a", new HostPort(LOOPBACK, portA)), KEY)
            .withSequencer(new AdvertSequencer(() -> System.currentTimeMillis() + peerClockAhead));
    try (AdvertTransport a = open(portA, "node-a", Map.of("node-b", portB), KEY, atA::add);
        AdvertTransport b = AdvertTransport.open(skewed, x -> {});
        Pacer pacerA = new Pacer(a, "node-a");
        Pacer pacerB = new Pacer(b, "node-b")) {
      Await.until("skew reported", WAIT, () -> has(a, "node-b", PeerLinkProblem.Kind.CLOCK_SKEW));
      assertTrue(a.problems().get(0).message().startsWith("clock skew with node-b: 60 s"), a.problems().toString());
      long delivered = atA.size();
      Await.until("b's adverts still delivered", WAIT, () -> atA.size() > delivered + 5);
      assertEquals(0, dropped(a, RejectReason.REPLAYED));
    }
  }

  @Test
  void closeStopsTheThreadPromptlyAndFreesThePort() throws IOException {
    AdvertTransport transport = receiver();
    InetSocketAddress bound = transport.localAddress();
    assertTrue(receiverThreadRunning());

    long start = System.nanoTime();
    transport.close();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertTrue(tookMillis < 1_000, "close took " + tookMillis + " ms");
    assertFalse(receiverThreadRunning());
    try (DatagramChannel again = DatagramChannel.open()) {
      again.bind(bound);
    }
    transport.close();
    assertThrows(IllegalStateException.class, () -> transport.send(advert("node-a", 0, 0, 0)));
  }

  @Test
  void openFailsWhenThePortIsTaken() {
    InetSocketAddress taken = (InetSocketAddress) raw.socket().getLocalSocketAddress();
    assertThrows(
        BindException.class, () -> open(taken.getPort(), "node-a", Map.of(), KEY, a -> {}));
  }

  private static final PeerLinkRules RULES = new PeerLinkRules(50, 3, 2_000);

  /** A receiver for node-a that takes node-b's adverts from the raw channel. */
  private AdvertTransport receiver() throws IOException {
    return open(0, "node-a", Map.of("node-b", rawHostPort()), KEY, received::add);
  }

  private HostPort rawHostPort() {
    return new HostPort(LOOPBACK, raw.socket().getLocalPort());
  }

  private static AdvertTransport.Setup setup(
      int port, String self, Map<String, HostPort> peers, dev.redisha.config.Secret key) {
    return AdvertTransport.Setup.of(new HostPort(LOOPBACK, port), self, peers, new AdvertCodec(GROUP, key), RULES);
  }

  private static AdvertTransport open(
      int port, String self, Map<String, ?> peers, dev.redisha.config.Secret key, Consumer<Advert> listener)
      throws IOException {
    Map<String, HostPort> addresses = new java.util.LinkedHashMap<>();
    peers.forEach((id, p) -> addresses.put(id, p instanceof Integer n ? new HostPort(LOOPBACK, n) : (HostPort) p));
    return AdvertTransport.open(setup(port, self, addresses, key), listener);
  }

  private static Map<String, HostPort> orderedMap(String k1, HostPort v1, String k2, HostPort v2, String k3, HostPort v3) {
    Map<String, HostPort> m = new java.util.LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    m.put(k3, v3);
    return m;
  }

  private static AdvertCodec codec() {
    return new AdvertCodec(GROUP, KEY);
  }

  /** An advert of the peer that has heard the receiver's current boot. */
  private static Advert echoing(AdvertTransport receiver, String nodeId, long bootId, long seq) {
    return advert(nodeId, bootId, seq, System.currentTimeMillis())
        .withHeardBoots(Map.of("node-a", receiver.bootId()));
  }

  private static boolean has(AdvertTransport t, String nodeId, PeerLinkProblem.Kind kind) {
    return t.problems().stream().anyMatch(p -> p.nodeId().equals(nodeId) && p.kind() == kind);
  }

  /** Sends a transport's adverts every interval, as the coordinator's sender thread does. */
  private static final class Pacer implements AutoCloseable {
    private final java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

    Pacer(AdvertTransport t, String nodeId) {
      timer.scheduleAtFixedRate(
          () -> {
            try {
              t.send(advert(nodeId, 0, 0, 0));
            } catch (IllegalStateException closed) {
              // The test closed the transport first.
            }
          },
          0, RULES.advertIntervalMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      timer.shutdownNow();
      try {
        timer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void sendRaw(byte[] packet, AdvertTransport to) throws IOException {
    raw.send(ByteBuffer.wrap(packet), to.localAddress());
  }

  private static byte[] garbage(Random random, int i) {
    byte[] garbage = new byte[random.nextInt(1501)];
    random.nextBytes(garbage);
    if (i % 4 == 0 && garbage.length >= 7) {
      // Some look like adverts up to the MAC, so the flood also costs the receiver HMACs.
      System.arraycopy("RHA1".getBytes(StandardCharsets.US_ASCII), 0, garbage, 0, 4);
      garbage[4] = 1;
      int payloadLength = garbage.length - 39;
      garbage[5] = (byte) (payloadLength >>> 8);
      garbage[6] = (byte) payloadLength;
    }
    return garbage;
  }

  private static long dropped(AdvertTransport t, RejectReason reason) {
    return t.droppedCounts().get(reason);
  }

  private static long totalDropped(AdvertTransport t) {
    return t.droppedCounts().values().stream().mapToLong(Long::longValue).sum();
  }

  private static HostPort hostPort(AdvertTransport t) {
    return new HostPort(LOOPBACK, t.localAddress().getPort());
  }

  /** A port that was free a moment ago: two transports must know each other's address first. */
  private static int freePort() {
    return dev.redisha.redis.FreePorts.udp();
  }

  private NodeConfig nodeConfig(String self, int selfPort, String peer, int peerPort) {
    CoordinationConfig coordination =
        new CoordinationConfig(
            new HostPort(LOOPBACK, selfPort), KEY, 200, 3, false, 0, 60_000, 3, 1_000);
    PeerConfig peerConfig =
        new PeerConfig(
            peer, new HostPort(LOOPBACK, peerPort), new HostPort(LOOPBACK, 6379), Optional.empty());
    // Only the fields the transport reads are filled in.
    return new NodeConfig(
        null,
        GROUP,
        self,
        100,
        null,
        List.of(peerConfig),
        coordination,
        null,
        null,
        null,
        null,
        null,
        stateDirs.resolve(self),
        null);
  }

  private static boolean receiverThreadRunning() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("advert-receiver") && t.isAlive());
  }

  private static ListAppender<ILoggingEvent> captureTransportLogs() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger logger = (Logger) LoggerFactory.getLogger(AdvertTransport.class);
    logger.setLevel(Level.WARN);
    logger.addAppender(appender);
    return appender;
  }

  private static void releaseTransportLogs(ListAppender<ILoggingEvent> appender) {
    Logger logger = (Logger) LoggerFactory.getLogger(AdvertTransport.class);
    logger.detachAppender(appender);
    logger.setLevel(null);
  }
}
