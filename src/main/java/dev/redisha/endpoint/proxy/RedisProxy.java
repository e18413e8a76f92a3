package dev.redisha.endpoint.proxy;

import dev.redisha.config.HostPort;
import dev.redisha.endpoint.Endpoint;
import dev.redisha.endpoint.MasterView;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy endpoint (DESIGN §5): a TCP listener that relays every client connection to the
 * current master, so clients keep one address while the master moves. Runs without root.
 *
 * <h2>The relay</h2>
 * Like Netty's HexDumpProxy: per client, a handler that writes what the client sends to a backend
 * connection and a handler that writes the replies back, both on one event loop so no byte
 * crosses threads. Writes are flushed once per read burst ({@code channelReadComplete}), not per
 * command, so a pipeline leaves in as few packets as it arrived in; each side stops reading
 * ({@code autoRead}) while the other side's socket is full, so a slow client cannot make the proxy
 * buffer a fast server's replies without bound, nor the other way round; TCP_NODELAY on both
 * sides, since Redis traffic is small request/reply messages. epoll where Netty's native transport
 * loads, NIO otherwise, io_uring if configured ({@link NetTransport}).
 *
 * <h2>Crash failover: close</h2>
 * {@link #update} with a new master closes every connection to the old one, client and backend
 * together, at once (pending writes to the old master are dropped, not flushed). A client must
 * learn that its connection broke: the old master may have acknowledged writes that never reached
 * the new one, and a client silently carried over would go on as if nothing happened. It
 * reconnects and lands on the new master. Clients that connect while there is no master are held,
 * unread, for {@link ProxyOptions#masterWait()} (2 s by default), so a short failover costs them a
 * pause instead of an error.
 *
 * <h2>Planned switchover: hold, then move</h2>
 * DESIGN §3 rule 3 promises no errors to clients on a planned move. Sequence, driven by the agent:
 * {@link #hold} stops reading every client at a command boundary and completes when every
 * command already sent has had its reply; the agent then runs Redis' {@code FAILOVER} (which
 * itself pauses writes until the replica has caught up); {@link #switchTo} opens a new backend
 * connection per client to the new master, replays the state Redis keeps per connection ({@code
 * AUTH}, {@code HELLO}, {@code SELECT}, {@code CLIENT SETNAME}...; see {@link SessionState}) and
 * resumes reading. The client sees a pause, never an error, and keeps its TCP connection.
 *
 * <p>Why drain instead of letting commands fail on the demoted server with {@code -READONLY} and
 * retrying them on the new master: retrying means keeping a copy of every command until its reply
 * arrives (a copy on the hot path), deciding per command whether a retry is safe (a write that
 * got {@code -READONLY} did not run, but a read served by the old server after the move is
 * stale, and a pipeline mixing both would be answered out of order), and parsing every reply to
 * find the errors. Draining needs only to know where values end, never reorders or re-sends a
 * client's command, and the pause it adds overlaps the write pause {@code FAILOVER} imposes
 * anyway.
 *
 * <p>Counting where values end is the one place the proxy looks into the stream: a streaming
 * {@link RespScanner} per direction that skips bulk bodies by their length and copies nothing
 * but the few state-setting commands it must replay. A connection is only moved when the count
 * proves nothing is in flight. What cannot be moved transparently is closed on a switch, as on a
 * crash failover: subscribers, MONITOR, client-side caching and {@code CLIENT REPLY} (they leave
 * request/reply, so the proxy stops counting them), a connection still in {@code MULTI} or
 * {@code WATCH} when the hold timed out (during a hold the proxy keeps reading such a client
 * until the transaction ends, so a switch never splits one), and a blocking command still
 * waiting for its reply.
 *
 * <p>Thread-safety: {@link #update}, {@link #hold}, {@link #switchTo} and {@link #release} may be
 * called from any thread; they change the proxy's state under one lock and hand each connection
 * its part of the work on its own event loop, so none of them blocks.
 */
public final class RedisProxy implements Endpoint {
  private static final Logger log = LoggerFactory.getLogger(RedisProxy.class);

  private final ProxyOptions options;
  private final Consumer<String> events;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final NetTransport transport;
  private final Class<? extends SocketChannel> socketChannelType;
  private final Channel server;
  private final HostPort bound;

  private final Object lock = new Object();
  private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
  private HostPort master; // guarded by lock
  private HoldRound hold; // guarded by lock
  private volatile boolean holding;
  private volatile boolean closed;

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong closedOnMasterChange = new AtomicLong();
  private final AtomicLong movedOnSwitchover = new AtomicLong();
  private final AtomicLong closedWithoutMaster = new AtomicLong();
  private final AtomicLong closedUnauthenticated = new AtomicLong();
  private final AtomicLong closedIdle = new AtomicLong();
  // Counted on every read of every connection: LongAdder spreads the contention over cells.
  private final java.util.concurrent.atomic.LongAdder bytesFromClients = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder bytesToClients = new java.util.concurrent.atomic.LongAdder();
  private final AtomicLong upstreamErrors = new AtomicLong();

  static {
    // Netty's default (SIMPLE) samples one buffer in 128 and records where it was allocated: a
    // cost on every relayed read for a check that only finds bugs in tests. -Dio.netty.leakDetection.level
    // still wins (the tests may set it to paranoid).
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  private RedisProxy(ProxyOptions options, Consumer<String> events) {
    this.options = options;
    this.events = events;
    transport = options.transport();
    if (!transport.isAvailable()) {
      throw new IllegalStateException("the proxy cannot use the " + transport.configName()
          + " transport: this machine does not offer it (kernel, seccomp or a missing native library); use auto");
    }
    boss = transport.newGroup(1, "proxy-accept");
    workers = transport.newGroup(options.ioThreads(), "proxy-io");
    socketChannelType = transport.socketChannel;
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannel)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            // Nothing is read from a client before its backend is ready.
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new ProxiedConnection(RedisProxy.this, ch));
                  }
                });
    HostPort listen = options.listen();
    try {
      server = b.bind(listen.host(), listen.port()).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      shutdownGroups();
      throw new IllegalStateException("the proxy cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    InetSocketAddress local = (InetSocketAddress) server.localAddress();
    bound = new HostPort(listen.host(), local.getPort());
    log.info("proxy listening on {} ({})", bound, transport.configName());
  }

  /** Listens on {@code listen} with the default options; no master until {@link #update}. */
  public static RedisProxy start(HostPort listen, Consumer<String> events) {
    return start(ProxyOptions.defaults(listen), events);
  }

  /**
   * @param events receives one line per notable event (master change, hold, switch); never
   *     receives command bytes, so no password can reach it
   * @throws IllegalStateException if the address cannot be bound
   */
  public static RedisProxy start(ProxyOptions options, Consumer<String> events) {
    return new RedisProxy(options, Objects.requireNonNull(events, "events"));
  }

  @Override
  public String name() {
    return "proxy " + bound;
  }

  /** The address the proxy listens on, with the actual port when port 0 was asked for. */
  public HostPort listenAddress() {
    return bound;
  }

  /** The master new connections go to, empty while there is none. */
  public Optional<HostPort> master() {
    synchronized (lock) {
      return Optional.ofNullable(master);
    }
  }

  /**
   * Follows a decision. A different master (or none) closes every connection to the old one and
   * ends a hold; clients waiting for a master go to the new one. The same master again changes
   * nothing, so re-publishing a view never disturbs a hold or a {@link #switchTo} that already
   * moved the connections.
   */
  @Override
  public void update(MasterView view) {
    HostPort next = view.masterRedis().orElse(null);
    int affected;
    HostPort previous;
    synchronized (lock) {
      if (closed || Objects.equals(master, next)) {
        return;
      }
      previous = master;
      master = next;
      endHold();
      affected = 0;
      for (ProxiedConnection c : connections) {
        if (!c.isWaiting()) {
          affected++;
        }
        c.execute(() -> c.masterChanged(next));
      }
    }
    events.accept(
        "proxy: master " + (previous == null ? "none" : previous) + " -> " + (next == null ? "none" : next)
            + " (epoch " + view.epoch() + "); closing " + affected
            + " client connection(s) to the old master");
  }

  /**
   * Stops reading from every client (each at its next command boundary, after a transaction in
   * progress ends) and completes when every command already sent has had its reply: true then,
   * false if {@code max} passed first. Reading stays stopped until {@link #switchTo}, {@link
   * #release} or an {@link #update} to another master ends the hold; the caller must end every
   * hold. Clients that connect meanwhile wait for it to end.
   *
   * @throws IllegalStateException if a hold is already in progress
   */
  public CompletableFuture<Boolean> hold(Duration max) {
    HoldRound round;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the proxy is closed");
      }
      if (hold != null) {
        throw new IllegalStateException("a hold is already in progress");
      }
      round = new HoldRound(connections.size() + 1, System.nanoTime());
      hold = round;
      holding = true;
      for (ProxiedConnection c : connections) {
        c.execute(() -> c.beginHold(round));
      }
    }
    round.settledOne(); // the count started at one more, so it cannot reach zero before now
    workers.schedule(() -> round.timeOut(max), max.toMillis(), TimeUnit.MILLISECONDS);
    return round.drained.thenApply(drained -> drained);
  }

  /**
   * Ends a hold by moving every held connection to {@code view}'s master without closing the
   * client side: a new backend connection, the connection's state replayed, reading resumed.
   * Connections that cannot move unnoticed are closed (see the class comment). Completes when
   * every connection has moved or been closed. Without a hold in progress this is {@link
   * #update}: connections are closed, not moved.
   */
  public CompletableFuture<SwitchOutcome> switchTo(MasterView view) {
    HostPort next = view.masterRedis().orElse(null);
    SwitchRound round;
    HostPort previous;
    synchronized (lock) {
      if (closed || hold == null || next == null) {
        round = null;
        previous = null;
      } else if (next.equals(master)) {
        endHold();
        for (ProxiedConnection c : connections) {
          c.execute(() -> c.release(next));
        }
        return CompletableFuture.completedFuture(new SwitchOutcome(0, Map.of()));
      } else {
        previous = master;
        master = next;
        endHold();
        round = new SwitchRound(connections.size() + 1, System.nanoTime());
        for (ProxiedConnection c : connections) {
          c.execute(() -> c.moveTo(next, round));
        }
      }
    }
    if (round == null) {
      update(view);
      return CompletableFuture.completedFuture(new SwitchOutcome(0, Map.of()));
    }
    events.accept("proxy: switching held connections from " + previous + " to " + next
        + " (epoch " + view.epoch() + ")");
    round.skipped(); // the extra count
    return round.done.thenApply(outcome -> outcome);
  }

  @Override
  public CompletableFuture<Boolean> prepareHandover(Duration max) {
    synchronized (lock) {
      if (hold != null) {
        // Already holding for this switchover (the agent asks once per node, but be lenient).
        return hold.drained.thenApply(drained -> drained);
      }
    }
    return hold(max);
  }

  @Override
  public void completeHandover(MasterView view) {
    switchTo(view);
  }

  @Override
  public void abortHandover() {
    release();
  }

  /** Ends a hold without moving anything (the switchover was called off): reading resumes. */
  public void release() {
    synchronized (lock) {
      if (hold == null) {
        return;
      }
      endHold();
      HostPort m = master;
      for (ProxiedConnection c : connections) {
        c.execute(() -> c.release(m));
      }
    }
    events.accept("proxy: hold released, clients resume on " + master().map(HostPort::toString).orElse("no master"));
  }

  private void endHold() {
    if (hold != null) {
      hold.drained.complete(false);
      hold = null;
    }
    holding = false;
  }

  public ProxyMetrics metrics() {
    int open = 0;
    int held = 0;
    for (ProxiedConnection c : connections) {
      open++;
      if (c.isHeld()) {
        held++;
      }
    }
    return new ProxyMetrics(open, accepted.get(), closedOnMasterChange.get(), movedOnSwitchover.get(),
        held, closedWithoutMaster.get(), closedUnauthenticated.get(), closedIdle.get(), bytesFromClients.sum(),
        bytesToClients.sum(), upstreamErrors.get());
  }

  void countBytesFromClient(int n) {
    bytesFromClients.add(n);
  }

  void countBytesToClient(int n) {
    bytesToClients.add(n);
  }

  void countUpstreamError() {
    upstreamErrors.incrementAndGet();
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      endHold();
    }
    server.close().syncUninterruptibly();
    for (ProxiedConnection c : connections) {
      c.execute(() -> c.close(null, false));
    }
    shutdownGroups();
    log.info("proxy on {} closed", bound);
  }

  private void shutdownGroups() {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  // ---- called by connections, on their event loop ----------------------------------------------

  /**
   * A client connected. Decided under the lock, acted on outside it (opening a connection may
   * resolve a host name): this runs on the connection's event loop, so any task an {@link #update}
   * or {@link #hold} queues for it meanwhile runs after this and sees the connection's new phase.
   */
  void register(ProxiedConnection c) {
    accepted.incrementAndGet();
    HostPort connectTo;
    synchronized (lock) {
      if (closed) {
        connectTo = null;
      } else {
        connections.add(c);
        connectTo = hold == null ? master : null;
      }
    }
    if (closed) {
      c.close(null, false);
    } else if (connectTo != null) {
      c.connect(connectTo);
    } else {
      c.waitForMaster(options.masterWait().toMillis());
    }
  }

  void unregister(ProxiedConnection c) {
    synchronized (lock) {
      connections.remove(c);
    }
  }

  boolean isHolding() {
    return holding;
  }

  Class<? extends SocketChannel> socketChannelType() {
    return socketChannelType;
  }

  int connectTimeoutMillis() {
    return (int) options.connectTimeout().toMillis();
  }

  void countClosedOnMasterChange() {
    closedOnMasterChange.incrementAndGet();
  }

  void countClosedWithoutMaster() {
    closedWithoutMaster.incrementAndGet();
  }

  long unauthenticatedTimeoutMillis() {
    return options.unauthenticatedTimeout().toMillis();
  }

  long idleTimeoutMillis() {
    return options.idleTimeout().toMillis();
  }

  // The first of each is logged, so an operator learns why clients are closed; the rest would
  // flood the log under the very attack the timeout is for.
  void countClosedUnauthenticated(Object client) {
    if (closedUnauthenticated.getAndIncrement() == 0) {
      log.info("proxy: closed client {}: no successful reply (not authenticated) within {} ms"
          + " (endpoints.proxy.unauthenticated_timeout_ms); further such closes are not logged",
          client, unauthenticatedTimeoutMillis());
    }
  }

  void countClosedIdle(Object client) {
    if (closedIdle.getAndIncrement() == 0) {
      log.info("proxy: closed client {}: idle for {} ms (endpoints.proxy.idle_timeout_ms);"
          + " further such closes are not logged", client, idleTimeoutMillis());
    }
  }

  /** One hold: counts down the connections that still have commands in flight. */
  final class HoldRound {
    final CompletableFuture<Boolean> drained = new CompletableFuture<>();
    private final AtomicInteger unsettled;
    private final long startNanos;

    HoldRound(int count, long startNanos) {
      this.unsettled = new AtomicInteger(count);
      this.startNanos = startNanos;
    }

    void settledOne() {
      if (unsettled.decrementAndGet() == 0 && drained.complete(true)) {
        events.accept("proxy: hold drained in " + millisSince(startNanos) + " ms, no replies outstanding");
      }
    }

    void timeOut(Duration max) {
      if (drained.complete(false)) {
        events.accept("proxy: hold not drained after " + max.toMillis() + " ms, "
            + unsettled.get() + " connection(s) still had commands in flight");
      }
    }
  }

  /** One switch: counts down the connections until each has moved or been closed. */
  final class SwitchRound {
    final CompletableFuture<SwitchOutcome> done = new CompletableFuture<>();
    private final AtomicInteger pending;
    private final long startNanos;
    private final AtomicInteger moved = new AtomicInteger();
    private final Map<String, Integer> closedBecause = new LinkedHashMap<>();

    SwitchRound(int count, long startNanos) {
      this.pending = new AtomicInteger(count);
      this.startNanos = startNanos;
    }

    void moved() {
      moved.incrementAndGet();
      movedOnSwitchover.incrementAndGet();
      skipped();
    }

    void closed(String reason) {
      synchronized (closedBecause) {
        closedBecause.merge(reason, 1, Integer::sum);
      }
      skipped();
    }

    /** This connection is done with, neither moved nor closed by the switch. */
    void skipped() {
      if (pending.decrementAndGet() == 0) {
        SwitchOutcome outcome;
        synchronized (closedBecause) {
          outcome = new SwitchOutcome(moved.get(), closedBecause);
        }
        events.accept("proxy: switch done in " + millisSince(startNanos) + " ms: moved "
            + outcome.moved() + " connection(s), closed " + outcome.closedCount()
            + (outcome.closed().isEmpty() ? "" : " " + outcome.closed()));
        done.complete(outcome);
      }
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
