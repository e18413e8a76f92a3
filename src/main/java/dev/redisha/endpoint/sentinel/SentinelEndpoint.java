package dev.redisha.endpoint.sentinel;

import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.endpoint.Endpoint;
import dev.redisha.endpoint.MasterView;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Sentinel-compatible discovery endpoint (DESIGN §5): a small RESP2/RESP3 server that answers
 * the commands Sentinel clients use (Jedis' {@code JedisSentinelPool}, Lettuce, redis-py,
 * redis-cli) with the group's master as this agent's decisions see it, and publishes the events a
 * real Sentinel publishes when the master changes ({@code +sdown}, {@code +odown}, the failover's
 * steps, {@code +switch-master}, {@code +slave}, ...; see {@link Announcements}), so clients follow
 * a failover without a restart. It exposes one master, named after the group.
 *
 * <p>Client slots cannot be used up by idle sockets: a connection that is not subscribed and
 * sends nothing for the idle timeout is closed, and when all {@link #MAX_CLIENTS} slots are taken
 * a new connection takes the slot of the longest-idle unsubscribed one.
 *
 * <p>All connections and the publishing run on one Netty event-loop thread ("sentinel-endpoint");
 * {@link #update} only swaps an immutable snapshot and queues the publication, so it never blocks
 * the decision thread. Input is bounded (see {@link RespDecoder}); a connection that breaks the
 * protocol gets Redis' "Protocol error" reply, is closed and counted in {@link #protocolErrors()}.
 * Neither passwords nor command arguments are ever logged.
 */
public final class SentinelEndpoint implements Endpoint {
  /** The channel Sentinel announces master changes on. */
  public static final String SWITCH_MASTER = "+switch-master";
  /** The Redis version this endpoint's protocol behaviour follows (HELLO, INFO). */
  public static final String REDIS_VERSION = "7.0.15";
  /**
   * At most this many connections at once; past it a new one replaces the longest-idle
   * unsubscribed connection, or is refused with "max number of clients reached" if every
   * connection is subscribed.
   */
  public static final int MAX_CLIENTS = 1000;

  private static final Logger log = LoggerFactory.getLogger(SentinelEndpoint.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long CLOSE_WAIT_MS = 5000;

  private final HostPort address;
  private final String masterName;
  private final String nodeId;
  private final String runId;
  private final Optional<byte[]> password;
  private final List<SentinelPeer> otherSentinels;
  private final long idleTimeoutNanos;
  private final Supplier<Map<HostPort, Long>> replOffsets;
  private final Announcements announcements;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Channel serverChannel;
  private final long startNanos = System.nanoTime();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong nextClientId = new AtomicLong();
  private final AtomicInteger connectedClients = new AtomicInteger();
  private final LongAdder connectionsReceived = new LongAdder();
  private final LongAdder rejectedConnections = new LongAdder();
  private final LongAdder commandsProcessed = new LongAdder();
  private final LongAdder protocolErrors = new LongAdder();
  private final LongAdder authFailures = new LongAdder();
  private final AtomicLong lastWarnNanos = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
  /** Connections with at least one subscription; touched on the event loop only. */
  private final Set<ClientHandler> subscribers = new HashSet<>();
  /** Every counted connection; touched on the event loop only. */
  private final Set<ClientHandler> clients = new HashSet<>();
  private final LongAdder idleClosed = new LongAdder();
  private volatile Snapshot snapshot = Snapshot.initial();

  private SentinelEndpoint(
      HostPort listen,
      String masterName,
      String nodeId,
      Optional<Secret> password,
      List<SentinelPeer> otherSentinels,
      long idleTimeoutMs,
      Supplier<Map<HostPort, Long>> replOffsets) {
    this.masterName = masterName;
    this.nodeId = nodeId;
    this.runId = runId(masterName, nodeId);
    this.password = password.map(p -> p.text().getBytes(StandardCharsets.UTF_8));
    this.otherSentinels = List.copyOf(otherSentinels);
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    this.replOffsets = replOffsets;
    this.announcements = new Announcements(masterName, nodeId, runId, this.otherSentinels.size() + 1,
        Instances.quorum(this.otherSentinels.size()));
    this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("sentinel-endpoint", true));
    this.loop = group.next();
    try {
      this.serverChannel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_REUSEADDR, true)
              .option(ChannelOption.SO_BACKLOG, 128)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(64 * 1024, 1024 * 1024))
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ClientHandler handler =
                          new ClientHandler(SentinelEndpoint.this, nextClientId.incrementAndGet());
                      ch.pipeline().addLast(new RespDecoder(handler::mayUseFullLimits), handler);
                    }
                  })
              .bind(new InetSocketAddress(listen.host(), listen.port()))
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(CLOSE_WAIT_MS);
      throw new IllegalStateException(
          "the Sentinel endpoint cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    this.address = new HostPort(listen.host(), port);
    long sweepMs = Math.max(50, Math.min(1000, idleTimeoutMs / 4));
    loop.scheduleWithFixedDelay(this::closeIdleClients, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    log.info("{} started for master name {} (sentinel id {}, {} other sentinel(s), auth {})",
        name(), masterName, runId, this.otherSentinels.size(),
        this.password.isPresent() ? "required" : "off");
  }

  /**
   * Starts listening.
   *
   * @param listen where to listen; port 0 picks a free port (see {@link #address()})
   * @param masterName the master name clients ask for: the group name
   * @param nodeId this agent's node id; with the master name it gives the Sentinel id
   * @param password if present, clients must AUTH with it (user "default" or none) before
   *     anything but AUTH, HELLO and QUIT
   * @param otherSentinels the other agents' endpoints, for {@code SENTINEL sentinels}
   * @throws IllegalStateException if the address cannot be bound
   */
  public static SentinelEndpoint start(
      HostPort listen,
      String masterName,
      String nodeId,
      Optional<Secret> password,
      List<SentinelPeer> otherSentinels) {
    return start(listen, masterName, nodeId, password, otherSentinels,
        EndpointsConfig.Sentinel.DEFAULT_IDLE_TIMEOUT_MS, Map::of);
  }

  /**
   * Starts listening, as {@link #start(HostPort, String, String, Optional, List)}.
   *
   * @param idleTimeoutMs an unsubscribed connection silent for this long is closed
   * @param replOffsets each Redis's last known replication offset by address, read when a client
   *     asks for the replicas
   */
  public static SentinelEndpoint start(
      HostPort listen,
      String masterName,
      String nodeId,
      Optional<Secret> password,
      List<SentinelPeer> otherSentinels,
      long idleTimeoutMs,
      Supplier<Map<HostPort, Long>> replOffsets) {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(replOffsets, "replOffsets");
    if (idleTimeoutMs <= 0) {
      throw new IllegalArgumentException("the idle timeout must be positive");
    }
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(otherSentinels, "otherSentinels");
    if (masterName == null || masterName.isEmpty() || masterName.chars().anyMatch(c -> c <= ' ')) {
      // +switch-master messages are space-separated, so a name with spaces would break clients.
      throw new IllegalArgumentException("the master name must be non-empty without whitespace");
    }
    if (nodeId == null || nodeId.isEmpty()) {
      throw new IllegalArgumentException("the node id must be non-empty");
    }
    return new SentinelEndpoint(listen, masterName, nodeId, password, otherSentinels, idleTimeoutMs,
        replOffsets);
  }

  /**
   * The Sentinel id ({@code SENTINEL myid}, {@code runid}) of a node's endpoint: 40 hex digits,
   * the SHA-1 of group and node id, so it stays the same across restarts and every agent can
   * compute the others'.
   */
  public static String runId(String group, String nodeId) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest =
          sha1.digest(("redis-ha sentinel\0" + group + "\0" + nodeId).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }

  @Override
  public String name() {
    return "sentinel " + address;
  }

  /** The address actually listened on (the chosen port when started with port 0). */
  public HostPort address() {
    return address;
  }

  public String masterName() {
    return masterName;
  }

  /** This endpoint's Sentinel id. */
  public String runId() {
    return runId;
  }

  /** The master clients are told now (the last one known while there is none), for status. */
  public Optional<HostPort> announcedMaster() {
    return snapshot.knownMaster();
  }

  /**
   * Takes the new view and publishes what a real Sentinel would for the change (see {@link
   * Announcements}): when the master moves, subscribers of {@code +switch-master} (or of a
   * matching pattern) get {@code <name> <old-ip> <old-port> <new-ip> <new-port>}. The first master
   * ever seen is not announced: there was no switch. While a view has no master, {@code
   * get-master-addr-by-name} keeps answering the last master known, as Sentinel does until a
   * failover names another.
   */
  @Override
  public synchronized void update(MasterView view) {
    Objects.requireNonNull(view, "view");
    Snapshot before = snapshot;
    Snapshot after = before.next(view);
    snapshot = after;
    Optional<HostPort> next = view.masterRedis();
    if (next.isPresent() && before.lastMaster().isEmpty()) {
      log.info("{}: master {} (epoch {})", name(), next.get(), view.epoch());
    } else if (next.isPresent() && !next.equals(before.lastMaster())) {
      log.info("{}: {} {} -> {} (epoch {})", name(), SWITCH_MASTER, before.lastMaster().get(),
          next.get(), view.epoch());
    } else if (next.isEmpty() && before.master().isPresent()) {
      log.info("{}: no master (epoch {}); clients are told the last one, {}{}", name(),
          view.epoch(), before.master().get(), after.masterDown() ? ", flagged down" : "");
    }
    List<Announcements.Event> events = announcements.between(before, after);
    if (!events.isEmpty()) {
      publish(events);
    }
  }

  /** Connections closed for being idle (silent past the timeout, or replaced at the limit). */
  /** Connections accepted since the start. */
  public long connectionsReceived() {
    return connectionsReceived.sum();
  }

  /** Commands answered since the start. */
  public long commandsProcessed() {
    return commandsProcessed.sum();
  }

  /** Connections refused because the client limit was reached with none idle to close. */
  public long rejectedConnections() {
    return rejectedConnections.sum();
  }

  public long idleClosed() {
    return idleClosed.sum();
  }

  /** Connections closed because they broke the protocol or a limit. */
  public long protocolErrors() {
    return protocolErrors.sum();
  }

  public int connectedClients() {
    return connectedClients.get();
  }

  /** AUTH and HELLO AUTH attempts with a wrong password. */
  public long authFailures() {
    return authFailures.sum();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    serverChannel.close().awaitUninterruptibly(CLOSE_WAIT_MS);
    // Shutting the loop down closes every client connection registered on it.
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_MS);
    log.info("{} closed", name());
  }

  /** Publishes in order, in one task, so no subscriber sees a later event before an earlier. */
  private void publish(List<Announcements.Event> events) {
    try {
      loop.execute(
          () -> {
            for (Announcements.Event e : events) {
              int receivers = 0;
              for (ClientHandler subscriber : List.copyOf(subscribers)) {
                receivers += subscriber.deliver(e.channel(), e.message());
              }
              log.debug("{}: published {} {} to {} receiver(s)", name(), e.channel(), e.message(),
                  receivers);
            }
          });
    } catch (RejectedExecutionException e) {
      // Closed: there is nobody left to tell.
      log.debug("{}: not published, the endpoint is closed", name());
    }
  }

  // ---- for ClientHandler (event loop only unless noted) ----

  Snapshot snapshot() {
    return snapshot;
  }

  String nodeId() {
    return nodeId;
  }

  List<SentinelPeer> otherSentinels() {
    return otherSentinels;
  }

  boolean authRequired() {
    return password.isPresent();
  }

  /** Whether {@code user} (may be null: none given) and {@code pass} log in; constant time. */
  boolean authenticate(byte[] user, byte[] pass) {
    boolean userOk = user == null || "default".equals(new String(user, StandardCharsets.ISO_8859_1));
    // Without a password the default user is "nopass": any password works, as in redis-server.
    boolean passOk = password.map(p -> MessageDigest.isEqual(p, pass)).orElse(true);
    boolean ok = userOk && passOk;
    if (!ok) {
      authFailures.increment();
    }
    return ok;
  }

  /**
   * Counts a new connection (event loop). At the limit it takes the slot of the unsubscribed
   * connection that has been silent longest, so idle sockets never lock clients out; only when
   * every connection is subscribed is the new one refused.
   */
  boolean clientConnected(ClientHandler client) {
    connectionsReceived.increment();
    if (clients.size() >= MAX_CLIENTS) {
      ClientHandler idlest = null;
      for (ClientHandler c : clients) {
        if (!c.subscribedOrClosing() && (idlest == null || c.lastActiveNanos() < idlest.lastActiveNanos())) {
          idlest = c;
        }
      }
      if (idlest == null) {
        rejectedConnections.increment();
        return false;
      }
      idleClosed.increment();
      warnThrottled("at the limit of {} connections: closed the longest-idle one, from {}",
          MAX_CLIENTS, idlest.remoteAddress());
      clientDisconnected(idlest);
      idlest.closeIdle();
    }
    clients.add(client);
    connectedClients.set(clients.size());
    return true;
  }

  void clientDisconnected(ClientHandler client) {
    if (clients.remove(client)) {
      connectedClients.set(clients.size());
    }
  }

  /** Closes unsubscribed connections silent past the idle timeout (event loop, periodic). */
  private void closeIdleClients() {
    long now = System.nanoTime();
    List<ClientHandler> idle = new ArrayList<>();
    for (ClientHandler c : clients) {
      if (!c.subscribedOrClosing() && now - c.lastActiveNanos() > idleTimeoutNanos) {
        idle.add(c);
      }
    }
    for (ClientHandler c : idle) {
      idleClosed.increment();
      clientDisconnected(c);
      c.closeIdle();
    }
    if (!idle.isEmpty()) {
      log.debug("{}: closed {} idle connection(s)", name(), idle.size());
    }
  }

  /** The last known replication offset of the Redis at {@code redis}, 0 if unknown. */
  long replOffset(HostPort redis) {
    try {
      return replOffsets.get().getOrDefault(redis, 0L);
    } catch (RuntimeException e) {
      // The agent's figures are a courtesy; a failure must not fail the client's command.
      return 0;
    }
  }

  void commandProcessed() {
    commandsProcessed.increment();
  }

  void subscriptionsChanged(ClientHandler client, boolean any) {
    if (any) {
      subscribers.add(client);
    } else {
      subscribers.remove(client);
    }
  }

  void protocolError(SocketAddress remote, String reason) {
    protocolErrors.increment();
    warnThrottled("closed a connection from {} that broke the protocol: {}", remote, reason);
  }

  /** Logs at most one warning per interval for the whole endpoint: floods cost a counter only. */
  void warnThrottled(String format, Object... args) {
    long now = System.nanoTime();
    long last = lastWarnNanos.get();
    if (now - last >= WARN_INTERVAL_NANOS && lastWarnNanos.compareAndSet(last, now)) {
      log.warn(name() + ": " + format, args);
    }
  }

  /** The INFO sections, in Sentinel's order; each is a list of lines. */
  List<List<String>> infoSections(Set<String> wanted) {
    boolean all = wanted.isEmpty() || wanted.contains("all") || wanted.contains("default")
        || wanted.contains("everything");
    List<List<String>> sections = new ArrayList<>();
    long uptime = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
    if (all || wanted.contains("server")) {
      sections.add(List.of(
          "# Server",
          "redis_version:" + REDIS_VERSION,
          "redis_mode:sentinel",
          "redis_ha_node:" + nodeId,
          "os:" + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
          "process_id:" + ProcessHandle.current().pid(),
          "run_id:" + runId,
          "tcp_port:" + address.port(),
          "uptime_in_seconds:" + uptime,
          "uptime_in_days:" + uptime / 86400));
    }
    if (all || wanted.contains("clients")) {
      sections.add(List.of("# Clients", "connected_clients:" + connectedClients.get()));
    }
    if (all || wanted.contains("stats")) {
      Set<String> channels = new HashSet<>();
      Set<String> patterns = new HashSet<>();
      for (ClientHandler s : subscribers) {
        channels.addAll(s.channels());
        patterns.addAll(s.patterns());
      }
      sections.add(List.of(
          "# Stats",
          "total_connections_received:" + connectionsReceived.sum(),
          "total_commands_processed:" + commandsProcessed.sum(),
          "rejected_connections:" + rejectedConnections.sum(),
          "idle_connections_closed:" + idleClosed.sum(),
          "pubsub_channels:" + channels.size(),
          "pubsub_patterns:" + patterns.size(),
          "protocol_errors:" + protocolErrors.sum(),
          "auth_failures:" + authFailures.sum()));
    }
    if (all || wanted.contains("sentinel")) {
      sections.add(Instances.infoSection(snapshot, masterName, otherSentinels.size()));
    }
    return sections;
  }
}
