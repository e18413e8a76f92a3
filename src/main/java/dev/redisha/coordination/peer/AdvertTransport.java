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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Collectors;
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
 * {@link #LOG_INTERVAL}, naming only its source and length.
 *
 * <p>{@link #send} stamps bootId, seq and sentAt through an {@link AdvertSequencer} and is
 * serialized, so seq order is the order datagrams leave this host and the receiver's "newer seq
 * only" rule drops nothing but real reordering in the network.
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

  private final DatagramChannel channel;
  private final InetSocketAddress localAddress;
  private final List<HostPort> peers;
  private final InetSocketAddress[] peerAddresses;
  private final AdvertCodec codec;
  private final ReplayGuard guard;
  private final AdvertSequencer sequencer;
  private final Consumer<Advert> listener;
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

  private AdvertTransport(
      DatagramChannel channel,
      List<HostPort> peers,
      AdvertCodec codec,
      ReplayGuard guard,
      AdvertSequencer sequencer,
      Consumer<Advert> listener)
      throws IOException {
    this.channel = channel;
    this.localAddress = (InetSocketAddress) channel.getLocalAddress();
    this.peers = List.copyOf(peers);
    this.peerAddresses = new InetSocketAddress[this.peers.size()];
    for (int i = 0; i < peerAddresses.length; i++) {
      peerAddresses[i] = resolve(this.peers.get(i));
    }
    this.codec = codec;
    this.guard = guard;
    this.sequencer = sequencer;
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
    List<PeerConfig> peerConfigs = config.peers();
    Set<String> peerIds = peerConfigs.stream().map(PeerConfig::nodeId).collect(Collectors.toSet());
    return open(
        config.coordination().listen(),
        peerConfigs.stream().map(PeerConfig::advert).toList(),
        new AdvertCodec(config.group(), config.coordination().key()),
        new ReplayGuard(peerIds),
        new AdvertSequencer(),
        listener);
  }

  /**
   * Binds the listen address and starts the receive thread.
   *
   * @param listen where to receive adverts; port 0 picks a free port (see {@link #localAddress})
   * @param peers where {@link #send} sends each advert
   * @param listener called on the receive thread with every accepted advert
   * @throws IOException if the address cannot be resolved or bound
   */
  public static AdvertTransport open(
      HostPort listen,
      List<HostPort> peers,
      AdvertCodec codec,
      ReplayGuard guard,
      AdvertSequencer sequencer,
      Consumer<Advert> listener)
      throws IOException {
    InetSocketAddress bindAddress = resolve(listen);
    if (bindAddress.isUnresolved()) {
      throw new IOException("cannot resolve advert listen address " + listen);
    }
    DatagramChannel channel = DatagramChannel.open();
    try {
      channel.bind(bindAddress);
      AdvertTransport transport =
          new AdvertTransport(channel, peers, codec, guard, sequencer, listener);
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

  /**
   * Stamps the advert (bootId, seq, sentAt), encodes it once and sends it to every peer. A peer
   * that cannot be reached is counted in {@link #sendFailures()} and skipped; UDP gives no
   * delivery guarantee anyway, and the next advert is a full retry.
   *
   * @return the advert as sent
   * @throws IllegalArgumentException if the advert cannot be encoded (see {@link AdvertCodec})
   * @throws IllegalStateException if the transport is closed
   */
  public synchronized Advert send(Advert content) {
    if (closed.get()) {
      throw new IllegalStateException("advert transport is closed");
    }
    Advert advert = sequencer.stamp(content);
    ByteBuffer packet = ByteBuffer.wrap(codec.encode(advert));
    for (int i = 0; i < peerAddresses.length; i++) {
      sendTo(i, packet);
      packet.rewind();
    }
    return advert;
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
      handle(buf.array(), buf.position(), source);
    }
  }

  private void handle(byte[] packet, int length, SocketAddress source) {
    Verdict verdict = codec.decode(packet, 0, length);
    if (verdict.accepted()) {
      verdict = guard.admit(verdict.advert());
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
