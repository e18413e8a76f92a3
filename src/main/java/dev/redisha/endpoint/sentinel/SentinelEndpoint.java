package dev.redisha.endpoint.sentinel;

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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Sentinel-compatible discovery endpoint (DESIGN §5): a small RESP2 server that answers the
 * commands Sentinel clients use (Jedis' {@code JedisSentinelPool}, Lettuce, redis-py, redis-cli)
 * with the group's master as this agent's decisions see it, and publishes {@code +switch-master}
 * when the master changes, so clients follow a failover without a restart. It exposes one master,
 * named after the group.
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
  public static final String REDIS_VERSION = "7.0.0";
  /** Connections beyond this many are refused with Redis' "max number of clients reached". */
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
  private volatile Snapshot snapshot = Snapshot.initial();

  private SentinelEndpoint(
      HostPort listen,
      String masterName,
      String nodeId,
      Optional<Secret> password,
      List<SentinelPeer> otherSentinels) {
    this.masterName = masterName;
    this.nodeId = nodeId;
    this.runId = runId(masterName, nodeId);
    this.password = password.map(p -> p.text().getBytes(StandardCharsets.UTF_8));
    this.otherSentinels = List.copyOf(otherSentinels);
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
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(otherSentinels, "otherSentinels");
    if (masterName == null || masterName.isEmpty() || masterName.chars().anyMatch(c -> c <= ' ')) {
      // +switch-master messages are space-separated, so a name with spaces would break clients.
      throw new IllegalArgumentException("the master name must be non-empty without whitespace");
    }
    if (nodeId == null || nodeId.isEmpty()) {
      throw new IllegalArgumentException("the node id must be non-empty");
    }
    return new SentinelEndpoint(listen, masterName, nodeId, password, otherSentinels);
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

  /**
   * Takes the new view. When it names a master at a new address, every subscriber of
   * {@code +switch-master} (or of a matching pattern) gets {@code <name> <old-ip> <old-port>
   * <new-ip> <new-port>}; the old address is the last master announced, or the new one if there
   * never was one. While a view has no master, {@code get-master-addr-by-name} answers nil and
   * the master is flagged down.
   */
  @Override
  public synchronized void update(MasterView view) {
    Objects.requireNonNull(view, "view");
    Snapshot before = snapshot;
    Snapshot after = before.next(view);
    snapshot = after;
    Optional<HostPort> next = view.masterRedis();
    if (next.isPresent() && !next.equals(before.lastMaster())) {
      HostPort from = before.lastMaster().orElse(next.get());
      HostPort to = next.get();
      String message =
          masterName + " " + from.host() + " " + from.port() + " " + to.host() + " " + to.port();
      if (before.lastMaster().isPresent()) {
        log.info("{}: {} {} (epoch {})", name(), SWITCH_MASTER, message, view.epoch());
      } else {
        log.info("{}: master {} (epoch {}), announced as {} {}", name(), to, view.epoch(),
            SWITCH_MASTER, message);
      }
      publish(SWITCH_MASTER, message);
    } else if (next.isEmpty() && before.master().isPresent()) {
      log.info("{}: no master (epoch {}); get-master-addr-by-name answers nil", name(), view.epoch());
    }
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

  private void publish(String channel, String message) {
    try {
      loop.execute(
          () -> {
            int receivers = 0;
            for (ClientHandler subscriber : List.copyOf(subscribers)) {
              receivers += subscriber.deliver(channel, message);
            }
            log.debug("{}: published on {} to {} receiver(s)", name(), channel, receivers);
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

  boolean clientConnected() {
    connectionsReceived.increment();
    if (connectedClients.incrementAndGet() > MAX_CLIENTS) {
      connectedClients.decrementAndGet();
      rejectedConnections.increment();
      return false;
    }
    return true;
  }

  void clientDisconnected() {
    connectedClients.decrementAndGet();
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
