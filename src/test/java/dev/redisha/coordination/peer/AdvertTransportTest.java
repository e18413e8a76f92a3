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
import org.slf4j.LoggerFactory;

class AdvertTransportTest {
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
  void twoTransportsExchangeAdverts() throws IOException {
    Queue<Advert> atA = new ConcurrentLinkedQueue<>();
    Queue<Advert> atB = new ConcurrentLinkedQueue<>();
    int portA = freePort();
    try (AdvertTransport b =
            open(ANY_PORT, List.of(new HostPort(LOOPBACK, portA)), Set.of("node-a"), atB::add);
        AdvertTransport a =
            open(
                new HostPort(LOOPBACK, portA),
                List.of(hostPort(b)),
                Set.of("node-b"),
                atA::add)) {
      Advert fromA = a.send(advert("node-a", 0, 0, 0));
      Advert fromB = b.send(advert("node-b", 0, 0, 0));

      Await.until("B hears A", WAIT, () -> !atB.isEmpty());
      Await.until("A hears B", WAIT, () -> !atA.isEmpty());
      assertEquals(fromA, atB.peek());
      assertEquals(fromB, atA.peek());
      assertEquals(1, fromA.seq());
      assertTrue(Math.abs(System.currentTimeMillis() - fromA.sentAtMillis()) < 60_000);
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
      Advert fromA = a.send(advert("node-a", 0, 0, 0));
      Advert fromB = b.send(advert("node-b", 0, 0, 0));

      Await.until("B hears A", WAIT, () -> atB.contains(fromA));
      Await.until("A hears B", WAIT, () -> atA.contains(fromB));
    }
  }

  @Test
  void sameDatagramTwiceIsAcceptedOnceAndCountedReplayedOnce() throws IOException {
    try (AdvertTransport receiver = receiver()) {
      Advert advert = fresh("node-b", 1);
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
      long now = System.currentTimeMillis();
      sendRaw(codec().encode(advert("node-b", 200, 1, now)), receiver);
      Await.until("new boot accepted", WAIT, () -> receiver.acceptedCount() == 1);
      sendRaw(codec().encode(advert("node-b", 100, 5, now)), receiver);

      Await.until("old boot dropped", WAIT, () -> dropped(receiver, RejectReason.REPLAYED) == 1);
    }
  }

  @Test
  void everyKindOfBadAdvertIsDroppedAndCounted() throws IOException {
    try (AdvertTransport receiver = receiver()) {
      long now = System.currentTimeMillis();
      sendRaw(new AdvertCodec(GROUP, OTHER_KEY).encode(fresh("node-b", 1)), receiver);
      byte[] flipped = codec().encode(fresh("node-b", 2));
      flipped[20] ^= 1;
      sendRaw(flipped, receiver);
      sendRaw(codec().encode(advert("node-b", 1, 3, now - 31_000)), receiver);
      sendRaw(codec().encode(fresh("node-x", 1)), receiver);
      AdvertCodec otherGroup = new AdvertCodec("other", KEY);
      sendRaw(otherGroup.encode(TestAdverts.withGroup(fresh("node-b", 4), "other")), receiver);
      sendRaw(new byte[0], receiver);

      Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
      for (RejectReason r : RejectReason.values()) {
        expected.put(r, 0L);
      }
      expected.put(RejectReason.BAD_MAC, 2L);
      expected.put(RejectReason.STALE, 1L);
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
    try (AdvertTransport receiver = receiver();
        AdvertTransport sender =
            open(ANY_PORT, List.of(hostPort(receiver)), Set.of(), received::add)) {
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

      Advert valid = sender.send(advert("node-b", 0, 0, 0));

      Await.until("valid advert accepted", WAIT, () -> received.contains(valid));
      assertEquals(1, receiver.acceptedCount());
      long dropLines =
          logs.list.stream().filter(e -> e.getMessage().startsWith("dropped advert")).count();
      long reasonsSeen = expected.values().stream().filter(n -> n > 0).count();
      assertTrue(dropLines >= 1 && dropLines <= 2 * reasonsSeen, dropLines + " drop log lines");
    } finally {
      releaseTransportLogs(logs);
    }
  }

  @Test
  void listenerFailureDoesNotStopReceiving() throws IOException {
    Consumer<Advert> failsOnFirst =
        advert -> {
          if (advert.seq() == 1) {
            throw new IllegalStateException("listener bug");
          }
          received.add(advert);
        };
    try (AdvertTransport receiver = open(ANY_PORT, List.of(), Set.of("node-b"), failsOnFirst);
        AdvertTransport sender = open(ANY_PORT, List.of(hostPort(receiver)), Set.of(), a -> {})) {
      sender.send(advert("node-b", 0, 0, 0));
      Await.until("first advert fails", WAIT, () -> receiver.listenerFailures() == 1);
      Advert second = sender.send(advert("node-b", 0, 0, 0));

      Await.until("second advert delivered", WAIT, () -> received.contains(second));
      assertEquals(2, receiver.acceptedCount());
    }
  }

  @Test
  void unreachablePeersAreCountedAndSkipped() throws IOException {
    int nobodyListens = freePort();
    try (AdvertTransport receiver = receiver();
        AdvertTransport sender =
            open(
                ANY_PORT,
                List.of(
                    new HostPort(LOOPBACK, 0),
                    new HostPort(LOOPBACK, nobodyListens),
                    hostPort(receiver)),
                Set.of(),
                a -> {})) {
      Advert first = sender.send(advert("node-b", 0, 0, 0));
      Advert second = sender.send(advert("node-b", 0, 0, 0));

      Await.until("both reach the live peer", WAIT, () -> received.contains(second));
      assertTrue(received.contains(first));
      assertTrue(sender.sendFailures() >= 2, sender.sendFailures() + " send failures");
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
        BindException.class,
        () -> open(new HostPort(LOOPBACK, taken.getPort()), List.of(), Set.of(), a -> {}));
  }

  private AdvertTransport receiver() throws IOException {
    return open(ANY_PORT, List.of(), Set.of("node-b"), received::add);
  }

  private static AdvertTransport open(
      HostPort listen, List<HostPort> peers, Set<String> peerIds, Consumer<Advert> listener)
      throws IOException {
    return AdvertTransport.open(
        listen, peers, codec(), new ReplayGuard(peerIds), new AdvertSequencer(), listener);
  }

  private static AdvertCodec codec() {
    return new AdvertCodec(GROUP, KEY);
  }

  private static Advert fresh(String nodeId, long seq) {
    return advert(nodeId, 1, seq, System.currentTimeMillis());
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
    return dev.redisha.demo.FreePorts.udp();
  }

  private static NodeConfig nodeConfig(String self, int selfPort, String peer, int peerPort) {
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
        null,
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
