package dev.redisha.coordination.peer;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this agent's adverts to every peer over UDP and delivers the peers' authentic, fresh
 * adverts to a listener (DESIGN §4).
 *
 * <p>One channel, bound to the listen address, both receives and sends, so peers see adverts
 * coming from the advert port (one firewall rule). It stays unconnected: a connected channel per
 * peer would turn a down peer's ICMP port-unreachable replies into errors, while here they are
 * ignored like any other lost datagram. A daemon thread, "advert-receiver", reads datagrams,
 * verifies them with the {@link AdvertCodec}, filters them through the {@link ReplayGuard} and
 * calls the listener; the listener therefore runs on that thread and must hand work off rather
 * than block. Every dropped datagram is counted by reason and logged at most once per reason per
 * {@link #LOG_INTERVAL}, naming only its source and length; {@link RejectReason#UNCONFIRMED} and
 * {@link RejectReason#DUPLICATE_NODE_ID} are counted but not logged per datagram (the first is
 * normal at every start, the second is reported as a problem).
 *
 * <p>{@link #send} stamps bootId, seq and sentAt through an {@link AdvertSequencer}, fills in
 * {@code heardBoots} (the bootId last taken from each peer, which is what makes our adverts fresh
 * to them) and is serialized, so seq order is the order datagrams leave this host and the
 * receiver's "newer seq only" rule drops nothing but real reordering in the network. When a peer
 * is heard with a new bootId (it or we just started), the last advert is sent again at once with
 * the new echo, so the start-up round trip costs a network round trip instead of an interval.
 *
 * <p>What is wrong with a link and would otherwise look like a silent peer (different keys, a
 * peer that does not hear us, two agents under one node id, clock skew) is reported by {@link
 * #problems()} and logged once per change; see {@link PeerLinkWatch}.
 */
public final class AdvertTransport implements AutoCloseable {
  public static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(AdvertTransport.class);

  private enum Trouble {
    SEND_FAILED,
    RECEIVE_FAILED,
    LISTENER_FAILED
  }

  /**
   * Everything a transport needs besides its listener.
   *
   * @param listen where to receive adverts; port 0 picks a free port (see {@link #localAddress})
   * @param selfId this agent's node id (the key peers echo our bootId under)
   * @param peers each peer's node id and advert address, in the order adverts are sent; adverts
   *     are accepted from these node ids only
   * @param monotonicMillis a monotonic clock in ms for every timer
   * @param wallMillis this host's wall clock, used only to report clock skew
   */
  public record Setup(
      HostPort listen,
      String selfId,
      Map<String, HostPort> peers,
      AdvertCodec codec,
      AdvertSequencer sequencer,
      PeerLinkRules rules,
      LongSupplier monotonicMillis,
      LongSupplier wallMillis) {
    public Setup {
      peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    }

    /** With a new boot starting now, the system's monotonic and wall clocks. */
    public static Setup of(
        HostPort listen, String selfId, Map<String, HostPort> peers, AdvertCodec codec, PeerLinkRules rules) {
      return new Setup(listen, selfId, peers, codec, new AdvertSequencer(), rules,
          () -> System.nanoTime() / 1_000_000, System::currentTimeMillis);
    }

    public Setup withSequencer(AdvertSequencer s) {
      return new Setup(listen, selfId, peers, codec, s, rules, monotonicMillis, wallMillis);
    }

    public Setup withClocks(LongSupplier monotonic, LongSupplier wall) {
      return new Setup(listen, selfId, peers, codec, sequencer, rules, monotonic, wall);
    }
  }

  private final DatagramChannel channel;
  private final InetSocketAddress localAddress;
  private final List<HostPort> peers;
  private final InetSocketAddress[] peerAddresses;
  private final AdvertCodec codec;
  private final ReplayGuard guard;
  private final AdvertSequencer sequencer;
  private final PeerLinkWatch watch;
  private final Consumer<Advert> listener;
  private Advert lastContent;
  private final Map<RejectReason, LongAdder> dropped = new EnumMap<>(RejectReason.class);
  private final LongAdder accepted = new LongAdder();
  private final LongAdder sendFailures = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();
  private final LogThrottle<RejectReason> dropLogThrottle =
      new LogThrottle<>(LOG_INTERVAL, System::nanoTime);
  private final LogThrottle<Trouble> troubleLogThrottle =
      new LogThrottle<>(LOG_INTERVAL, System::nanoTime);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread receiver;

  private AdvertTransport(DatagramChannel channel, Setup setup, Consumer<Advert> listener)
      throws IOException {
    this.channel = channel;
    this.localAddress = (InetSocketAddress) channel.getLocalAddress();
    this.peers = List.copyOf(setup.peers().values());
    this.peerAddresses = new InetSocketAddress[this.peers.size()];
    for (int i = 0; i < peerAddresses.length; i++) {
      peerAddresses[i] = resolve(this.peers.get(i));
    }
    this.codec = setup.codec();
    this.sequencer = setup.sequencer();
    this.guard = new ReplayGuard(setup.selfId(), sequencer.bootId(), setup.peers().keySet(),
        setup.rules().claimWindow(), setup.monotonicMillis());
    this.watch = new PeerLinkWatch(setup.rules(), guard, new PeerAddresses(setup.peers()),
        setup.monotonicMillis(), setup.wallMillis());
    this.listener = listener;
    for (RejectReason r : RejectReason.values()) {
      dropped.put(r, new LongAdder());
    }
    this.receiver = new Thread(this::receiveLoop, "advert-receiver");
    receiver.setDaemon(true);
  }

  /**
   * Opens the transport a node's configuration describes: its group and key, its listen address,
   * and its peers' advert addresses; adverts are accepted from those peers only.
   */
  public static AdvertTransport open(NodeConfig config, Consumer<Advert> listener)
      throws IOException {
    Map<String, HostPort> peers = new LinkedHashMap<>();
    for (PeerConfig p : config.peers()) {
      peers.put(p.nodeId(), p.advert());
    }
    return open(
        Setup.of(
            config.coordination().listen(),
            config.nodeId(),
            peers,
            new AdvertCodec(config.group(), config.coordination().key()),
            PeerLinkRules.of(config.coordination()))
            .withSequencer(new AdvertSequencer(
                BootIds.next(config.stateDir(), System.currentTimeMillis()), System::currentTimeMillis)),
        listener);
  }

  /**
   * Binds the listen address and starts the receive thread.
   *
   * @param listener called on the receive thread with every accepted advert
   * @throws IOException if the address cannot be resolved or bound
   */
  public static AdvertTransport open(Setup setup, Consumer<Advert> listener) throws IOException {
    InetSocketAddress bindAddress = resolve(setup.listen());
    if (bindAddress.isUnresolved()) {
      throw new IOException("cannot resolve advert listen address " + setup.listen());
    }
    DatagramChannel channel = DatagramChannel.open();
    try {
      channel.bind(bindAddress);
      AdvertTransport transport = new AdvertTransport(channel, setup, listener);
      // Started only once fully constructed, so the thread never sees a half-built transport.
      transport.receiver.start();
      return transport;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The bound address (with the real port when the listen port was 0). */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /** This agent's bootId, which peers must echo for their adverts to be believed. */
  public long bootId() {
    return sequencer.bootId();
  }

  /**
   * Stamps the advert (bootId, seq, sentAt, heardBoots), encodes it once and sends it to every
   * peer. A peer that cannot be reached is counted in {@link #sendFailures()} and skipped; UDP
   * gives no delivery guarantee anyway, and the next advert is a full retry.
   *
   * @return the advert as sent
   * @throws IllegalArgumentException if the advert cannot be encoded (see {@link AdvertCodec})
   * @throws IllegalStateException if the transport is closed
   */
  public synchronized Advert send(Advert content) {
    if (closed.get()) {
      throw new IllegalStateException("advert transport is closed");
    }
    Advert advert = sequencer.stamp(content.withHeardBoots(guard.heardBoots()));
    ByteBuffer packet = ByteBuffer.wrap(codec.encode(advert));
    lastContent = content;
    for (int i = 0; i < peerAddresses.length; i++) {
      sendTo(i, packet);
      packet.rewind();
    }
    // Sends run every interval, so time-based problems (a conflict's window passing) clear even
    // when no advert arrives.
    watch.tick();
    return advert;
  }

  /** Sends the last advert again, with the echo of a peer boot just heard. */
  private synchronized void answerNewBoot() {
    if (lastContent == null || closed.get()) {
      return;
    }
    try {
      send(lastContent);
    } catch (RuntimeException e) {
      // The periodic send carries the echo a moment later anyway.
      if (troubleLogThrottle.permit(Trouble.SEND_FAILED)) {
        log.warn("advert answering a new peer boot not sent: {}", e.toString());
      }
    }
  }

  private void sendTo(int peer, ByteBuffer packet) {
    if (peerAddresses[peer].isUnresolved()) {
      // A name that did not resolve at start (DNS not up yet) gets another chance every advert.
      peerAddresses[peer] = resolve(peers.get(peer));
    }
    try {
      channel.send(packet, peerAddresses[peer]);
    } catch (IOException | UnresolvedAddressException | UnsupportedAddressTypeException e) {
      // IOException covers PortUnreachableException too, should a platform report ICMP errors
      // on an unconnected channel.
      sendFailures.increment();
      if (troubleLogThrottle.permit(Trouble.SEND_FAILED)) {
        log.warn(
            "advert to {} not sent: {} ({} send failures so far)",
            peers.get(peer),
            e.toString(),
            sendFailures.sum());
      }
    }
  }

  /** Dropped datagrams so far, by reason; every reason is present, most with 0. */
  public Map<RejectReason, Long> droppedCounts() {
    Map<RejectReason, Long> snapshot = new EnumMap<>(RejectReason.class);
    dropped.forEach((reason, count) -> snapshot.put(reason, count.sum()));
    return Collections.unmodifiableMap(snapshot);
  }

  /**
   * What is wrong with the links to peers now (keys differ, a peer does not hear us, two agents
   * claim one node id, clock skew), oldest first per peer; for {@code status} and {@code /metrics}.
   */
  public List<PeerLinkProblem> problems() {
    return watch.problems();
  }

  /** How many times a problem of each kind began since start; every kind is present. */
  public Map<PeerLinkProblem.Kind, Long> problemOnsets() {
    return watch.onsets();
  }

  /** Adverts handed to the listener so far. */
  public long acceptedCount() {
    return accepted.sum();
  }

  /** Datagrams that could not be sent to a peer so far. */
  public long sendFailures() {
    return sendFailures.sum();
  }

  /** Accepted adverts whose listener threw so far. */
  public long listenerFailures() {
    return listenerFailures.sum();
  }

  /**
   * Stops the receive thread and frees the port; returns once both are done (or after one second
   * if the listener is stuck). Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      // Wakes the receive thread with an AsynchronousCloseException; the port is free once it
      // has left the channel.
      channel.close();
    } catch (IOException e) {
      log.warn("closing advert channel {}: {}", localAddress, e.toString());
    }
    if (Thread.currentThread() != receiver) {
      try {
        receiver.join(CLOSE_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void receiveLoop() {
    // One byte over the limit, so an oversized datagram arrives as too long instead of being
    // silently cut to a length that looks right.
    ByteBuffer buf = ByteBuffer.allocate(AdvertCodec.MAX_PACKET_BYTES + 1);
    while (!closed.get()) {
      buf.clear();
      SocketAddress source;
      try {
        source = channel.receive(buf);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // Not closed, so a transient error (an ICMP error on some platforms): keep listening.
        if (troubleLogThrottle.permit(Trouble.RECEIVE_FAILED)) {
          log.warn("advert receive on {} failed: {}", localAddress, e.toString());
        }
        continue;
      }
      handle(buf.array(), buf.position(), (InetSocketAddress) source);
    }
  }

  private void handle(byte[] packet, int length, InetSocketAddress source) {
    Verdict decoded = codec.decode(packet, 0, length);
    if (!decoded.accepted()) {
      if (decoded.reason() == RejectReason.BAD_MAC) {
        watch.badMac(source);
      }
      drop(decoded.reason(), length, source);
      return;
    }
    Advert advert = decoded.advert();
    Optional<Long> bootBefore = guard.heardBoot(advert.nodeId());
    Verdict verdict = guard.admit(advert, source);
    if (!(!verdict.accepted() && verdict.reason() == RejectReason.UNKNOWN_PEER)) {
      watch.authentic(advert.nodeId());
    }
    if (verdict.accepted()) {
      watch.delivered(advert, source);
    } else if (verdict.reason() == RejectReason.UNCONFIRMED) {
      watch.unconfirmed(advert, source);
    } else if (verdict.reason() == RejectReason.DUPLICATE_NODE_ID) {
      watch.tick();
    }
    if (!guard.heardBoot(advert.nodeId()).equals(bootBefore)) {
      answerNewBoot();
    }
    if (!verdict.accepted()) {
      drop(verdict.reason(), length, source);
      return;
    }
    accepted.increment();
    try {
      listener.accept(verdict.advert());
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vmError) {
        throw vmError;
      }
      listenerFailures.increment();
      if (troubleLogThrottle.permit(Trouble.LISTENER_FAILED)) {
        log.error(
            "advert listener failed ({} failures so far); receiving continues",
            listenerFailures.sum(),
            e);
      }
    }
  }

  private void drop(RejectReason reason, int length, SocketAddress source) {
    LongAdder count = dropped.get(reason);
    count.increment();
    if (reason == RejectReason.UNCONFIRMED || reason == RejectReason.DUPLICATE_NODE_ID) {
      // The first is normal for one round trip at every start; the second is a reported problem.
      return;
    }
    if (dropLogThrottle.permit(reason)) {
      // Source and length only: the contents are untrusted and may be crafted to mislead a reader.
      log.warn(
          "dropped advert datagram from {} ({} bytes): {} ({} dropped for this reason so far)",
          source,
          length,
          reason,
          count.sum());
    }
  }

  private static InetSocketAddress resolve(HostPort hostPort) {
    return new InetSocketAddress(hostPort.host(), hostPort.port());
  }
}
