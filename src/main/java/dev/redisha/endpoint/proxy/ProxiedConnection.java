package dev.redisha.endpoint.proxy;

import dev.redisha.config.HostPort;
import dev.redisha.endpoint.proxy.SessionState.Recorded;
import dev.redisha.endpoint.proxy.SessionState.Slot;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its backend connection, in the manner of Netty's HexDumpProxy: this
 * handler relays client bytes to the backend, {@link BackendHandler} relays the replies back,
 * each stops reading while the other side cannot keep up, and one side closing closes the other.
 * Both channels share one event loop, so every field here is touched by that thread only (except
 * the volatile {@link #held}, read for metrics).
 *
 * <p>On top of the relay, two {@link RespScanner}s count commands and replies so the proxy knows
 * when nothing is in flight and the connection can be moved to another server (see {@link
 * RedisProxy}).
 */
final class ProxiedConnection extends ChannelInboundHandlerAdapter
    implements RespScanner.RequestListener {
  private static final Logger log = LoggerFactory.getLogger(ProxiedConnection.class);

  enum Phase {
    /** No master yet (or a hold in progress): the client is not read. */
    WAITING,
    /** First backend connection being opened. */
    CONNECTING,
    RELAYING,
    /** Moving: a new backend being opened and told the connection's state. */
    REPLAYING,
    CLOSED
  }

  private final RedisProxy proxy;
  private final Channel client;
  private final RespScanner requestScanner = RespScanner.forRequests(this);

  /** Volatile only so the proxy can count waiting connections; written on the event loop. */
  private volatile Phase phase = Phase.WAITING;
  private Channel backend;
  private HostPort target;
  private ScheduledFuture<?> waitTimer;
  private boolean waitExpired;

  // Counting (while not pinned): commands sent that expect a reply, replies received.
  private long sent;
  private long received;
  private long lastBlockingCommand;
  private CommandKind currentKind = CommandKind.OTHER;
  private final ArrayDeque<Expectation> expectations = new ArrayDeque<>();
  private boolean inMulti;
  private boolean watching;
  /** Why this connection can never be moved; null while it can. */
  private String pinned;
  private final SessionState session = new SessionState();

  // Holding and moving.
  private RedisProxy.HoldRound holdRound;
  private boolean settledReported;
  private boolean readingStopped;
  private final ArrayDeque<ByteBuf> stash = new ArrayDeque<>();
  private RedisProxy.SwitchRound switchRound;
  private ArrayDeque<Recorded> replaying;

  private volatile boolean held;

  // Client timeouts (ProxyOptions): both off unless configured.
  private ScheduledFuture<?> authTimer;
  private ScheduledFuture<?> idleTimer;
  private long lastTrafficNanos = System.nanoTime();
  /** Whether an idle timeout is configured: only then is the clock read on every read. */
  private final boolean idleTracked;

  /** Runs when a reply to a tracked command arrives; the argument says whether it is an error. */
  private record Expectation(long sequence, Consumer<Boolean> onReply) {}

  ProxiedConnection(RedisProxy proxy, Channel client) {
    this.proxy = proxy;
    this.client = client;
    this.idleTracked = proxy.idleTimeoutMillis() > 0;
  }

  boolean isHeld() {
    return held;
  }

  boolean isWaiting() {
    return phase == Phase.WAITING;
  }

  void execute(Runnable task) {
    client.eventLoop().execute(task);
  }

  // ---- client side ---------------------------------------------------------------------------

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    long auth = proxy.unauthenticatedTimeoutMillis();
    if (auth > 0) {
      authTimer = client.eventLoop().schedule(this::authTimeUp, auth, TimeUnit.MILLISECONDS);
    }
    long idle = proxy.idleTimeoutMillis();
    if (idle > 0) {
      idleTimer = client.eventLoop().schedule(this::idleCheck, idle, TimeUnit.MILLISECONDS);
    }
    proxy.register(this);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    if (idleTracked) {
      lastTrafficNanos = System.nanoTime();
    }
    proxy.countBytesFromClient(buf.readableBytes());
    if (phase != Phase.RELAYING || readingStopped || !stash.isEmpty()) {
      if (phase == Phase.CLOSED) {
        buf.release();
      } else {
        stash.addLast(buf);
      }
      return;
    }
    relay(buf);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (phase == Phase.RELAYING) {
      backend.flush();
    }
    updateAutoRead();
    evaluateHold();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    updateAutoRead();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    close(null, true);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client {}: {}", client.remoteAddress(), cause.toString());
    close(null, true);
  }

  /** Forwards client bytes, stopping at the first command boundary when a hold asks for it. */
  private void relay(ByteBuf buf) {
    if (pinned == null) {
      int stopAt = requestScanner.scan(buf);
      if (requestScanner.lostSync()) {
        pin("sent something that is not RESP");
      }
      if (stopAt < buf.writerIndex()) {
        ByteBuf head = buf.readRetainedSlice(stopAt - buf.readerIndex());
        stash.addFirst(buf);
        buf = head;
      }
    }
    if (buf.isReadable()) {
      backend.write(buf, backend.voidPromise());
    } else {
      buf.release();
    }
    if (holdRound != null && !readingStopped && (pinned != null || atTransactionBoundary())) {
      readingStopped = true;
    }
  }

  private boolean atTransactionBoundary() {
    return requestScanner.atBoundary() && !inMulti && !watching;
  }

  @Override
  public boolean onCommandName(byte[] name, int length) {
    currentKind = CommandKind.of(name, length);
    return currentKind.needsArguments;
  }

  @Override
  public boolean onCommandEnd(boolean expectsReply, byte[] captured) {
    CommandKind kind = currentKind;
    currentKind = CommandKind.OTHER;
    if (expectsReply) {
      long seq = ++sent;
      switch (kind) {
        case OTHER -> { }
        case AUTH -> record(Slot.AUTH, seq, captured);
        case SELECT -> record(Slot.SELECT, seq, captured);
        case HELLO -> record(Slot.HELLO, seq, captured);
        case CLIENT -> clientCommand(seq, captured);
        case MULTI -> {
          boolean before = inMulti;
          inMulti = true;
          expectations.add(new Expectation(seq, error -> inMulti = error ? before : inMulti));
        }
        case EXEC -> {
          if (inMulti) {
            inMulti = false;
            watching = false;
          }
        }
        case WATCH -> {
          boolean before = watching;
          watching = true;
          expectations.add(new Expectation(seq, error -> watching = error ? before : watching));
        }
        case UNWATCH -> watching = watching && inMulti;
        case RESET -> {
          inMulti = false;
          watching = false;
          session.clear();
        }
        case PIN -> pin("subscribed, monitoring or replicating");
        case BLOCKING -> lastBlockingCommand = seq;
        case XREAD -> {
          if (captured == null || hasArgument(captured, "BLOCK")) {
            lastBlockingCommand = seq;
          }
        }
      }
    }
    return holdRound == null || inMulti || watching;
  }

  private void record(Slot slot, long seq, byte[] captured) {
    if (captured == null) {
      pin("sent a " + slot + " command too long to record");
      return;
    }
    if (inMulti) {
      pin("changed its " + slot + " inside a transaction");
      return;
    }
    Recorded r = new Recorded(slot, seq, captured);
    expectations.add(new Expectation(seq, error -> {
      if (!error) {
        session.commit(r);
      }
    }));
  }

  private void clientCommand(long seq, byte[] captured) {
    if (captured == null) {
      pin("sent a CLIENT command too long to inspect");
      return;
    }
    List<byte[]> args = SessionState.arguments(captured);
    if (args.size() < 2) {
      return;
    }
    byte[] sub = args.get(1);
    if (SessionState.is(sub, "SETNAME")) {
      record(Slot.SETNAME, seq, captured);
    } else if (SessionState.is(sub, "SETINFO") && args.size() > 2) {
      if (SessionState.is(args.get(2), "LIB-NAME")) {
        record(Slot.LIB_NAME, seq, captured);
      } else if (SessionState.is(args.get(2), "LIB-VER")) {
        record(Slot.LIB_VER, seq, captured);
      }
    } else if (SessionState.is(sub, "NO-EVICT")) {
      record(Slot.NO_EVICT, seq, captured);
    } else if (SessionState.is(sub, "NO-TOUCH")) {
      record(Slot.NO_TOUCH, seq, captured);
    } else if (SessionState.is(sub, "REPLY")) {
      pin("changed CLIENT REPLY");
    } else if (SessionState.is(sub, "TRACKING") || SessionState.is(sub, "CACHING")) {
      pin("uses client-side caching");
    }
  }

  private static boolean hasArgument(byte[] captured, String word) {
    for (byte[] arg : SessionState.arguments(captured)) {
      if (SessionState.is(arg, word)) {
        return true;
      }
    }
    return false;
  }

  /** The connection leaves request/reply counting for good; it will be closed on a switch. */
  private void pin(String why) {
    if (pinned == null) {
      pinned = why;
      expectations.clear();
    }
  }

  // ---- client timeouts -----------------------------------------------------------------------

  /** The server answered a command of the client's without an error: it is logged in. */
  private void answeredSuccessfully() {
    if (authTimer != null) {
      authTimer.cancel(false);
      authTimer = null;
    }
  }

  private void authTimeUp() {
    if (phase == Phase.CLOSED || authTimer == null) {
      return;
    }
    long timeout = proxy.unauthenticatedTimeoutMillis();
    // A pinned connection's replies are not counted, so whether it awaits one is unknown; but it
    // got pinned by a SUBSCRIBE or the like that Redis refused, and was still not logged in.
    boolean owedReply = pinned == null && received < sent;
    if (!isRead() || owedReply) {
      // Held, waiting for a master, or its AUTH not answered yet: not the client's delay.
      authTimer = client.eventLoop().schedule(this::authTimeUp, timeout, TimeUnit.MILLISECONDS);
      return;
    }
    authTimer = null;
    proxy.countClosedUnauthenticated(client.remoteAddress());
    close(null, true);
  }

  private void idleCheck() {
    if (phase == Phase.CLOSED) {
      return;
    }
    long timeout = proxy.idleTimeoutMillis();
    long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastTrafficNanos);
    boolean spared = pinned != null || !isBeingServed();
    if (idleMs < timeout || spared) {
      long next = spared ? timeout : timeout - idleMs;
      idleTimer = client.eventLoop().schedule(this::idleCheck, next, TimeUnit.MILLISECONDS);
      return;
    }
    idleTimer = null;
    proxy.countClosedIdle(client.remoteAddress());
    close(null, true);
  }

  /** Relaying, read, and owed no reply: the time is the client's own. */
  private boolean isBeingServed() {
    return isRead() && received >= sent;
  }

  private boolean isRead() {
    return phase == Phase.RELAYING && !readingStopped && holdRound == null;
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  // ---- backend side --------------------------------------------------------------------------

  /** Relays replies to the client; counts them so the proxy knows when nothing is in flight. */
  private final class BackendHandler extends ChannelInboundHandlerAdapter
      implements RespScanner.ReplyListener {
    private final RespScanner replyScanner = RespScanner.forReplies(this);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      if (ctx.channel() != backend || phase == Phase.CLOSED) {
        buf.release();
        return;
      }
      if (idleTracked) {
        lastTrafficNanos = System.nanoTime();
      }
      proxy.countBytesToClient(buf.readableBytes());
      if (phase == Phase.REPLAYING) {
        buf.readerIndex(replyScanner.scan(buf)); // the replies to the replay are the proxy's own
        if (phase != Phase.RELAYING || !buf.isReadable()) {
          buf.release();
          return;
        }
      }
      // Until the client is logged in, replies are read even on a pinned connection: a SUBSCRIBE
      // sent before AUTH pins it, and only its reply tells whether the client got in.
      if (pinned == null || (authTimer != null && !replyScanner.lostSync())) {
        replyScanner.scan(buf);
        if (replyScanner.lostSync()) {
          pin("got a reply that is not RESP");
        }
      }
      client.write(buf, client.voidPromise());
    }

    @Override
    public boolean onReply(byte type) {
      if (phase == Phase.REPLAYING) {
        return replayReplied(type);
      }
      if (type == '>') {
        return true; // a RESP3 push answers no command
      }
      if (type != '-' && type != '!') {
        answeredSuccessfully();
      }
      if (pinned != null) {
        return true;
      }
      long seq = ++received;
      if (received > sent) {
        pin("got more replies than it sent commands");
        return true;
      }
      Expectation e = expectations.peek();
      if (e != null && e.sequence() == seq) {
        expectations.poll();
        e.onReply().accept(type == '-' || type == '!');
      }
      return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (ctx.channel() == backend) {
        client.flush();
        evaluateHold();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel() == backend) {
        updateAutoRead();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ctx.channel() == backend) {
        if (holdRound != null && phase == Phase.RELAYING && readingStopped && pinned == null && received == sent) {
          // Held for a switchover with nothing in flight: the old master dropping its clients
          // as it steps down costs this client nothing; the switch (or release) opens a new
          // backend and replays the connection's state.
          backend = null;
          return;
        }
        close(phase == Phase.REPLAYING ? "the new master closed the connection" : null, true);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("backend {}: {}", target, cause.toString());
      proxy.countUpstreamError();
      ctx.close();
    }
  }

  private boolean replayReplied(byte type) {
    if (type == '>') {
      return true;
    }
    Recorded r = replaying.poll();
    if ((type == '-' || type == '!') && r.slot().mustSucceed) {
      close("the new master refused its " + r.slot(), false);
      return false;
    }
    if (replaying.isEmpty()) {
      startRelaying();
      return false;
    }
    return true;
  }

  // ---- lifecycle, driven by the proxy --------------------------------------------------------

  /** Called by the proxy on registration when there is no master to go to yet. */
  void waitForMaster(long waitMillis) {
    phase = Phase.WAITING;
    held = true;
    waitTimer = client.eventLoop().schedule(this::waitTimedOut, waitMillis, TimeUnit.MILLISECONDS);
  }

  private void waitTimedOut() {
    if (phase != Phase.WAITING) {
      return;
    }
    waitExpired = true;
    if (!proxy.isHolding()) {
      proxy.countClosedWithoutMaster();
      close(null, false);
    }
  }

  /** Opens the first backend connection (the proxy calls this on registration or later). */
  void connect(HostPort master) {
    if (phase != Phase.WAITING) {
      return;
    }
    if (waitTimer != null) {
      waitTimer.cancel(false);
    }
    phase = Phase.CONNECTING;
    held = readingStopped;
    openBackend(master);
  }

  private void openBackend(HostPort to) {
    target = to;
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(proxy.socketChannelType())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, proxy.connectTimeoutMillis())
            .handler(new BackendHandler());
    ChannelFuture f = b.connect(to.host(), to.port());
    backend = f.channel();
    f.addListener((ChannelFutureListener) this::backendConnected);
  }

  private void backendConnected(ChannelFuture f) {
    if (f.channel() != backend || phase == Phase.CLOSED) {
      f.channel().close();
      return;
    }
    if (!f.isSuccess()) {
      proxy.countUpstreamError();
      close("cannot connect to " + target + ": " + f.cause().getMessage(), false);
      return;
    }
    if (phase == Phase.REPLAYING && !session.isEmpty()) {
      replaying = new ArrayDeque<>(session.inOrder());
      for (Recorded r : replaying) {
        backend.write(Unpooled.wrappedBuffer(r.command()), backend.voidPromise());
      }
      backend.flush();
      updateAutoRead();
      return;
    }
    startRelaying();
  }

  private void startRelaying() {
    phase = Phase.RELAYING;
    replaying = null;
    if (switchRound != null) {
      switchRound.moved();
      switchRound = null;
    }
    if (holdRound == null) {
      readingStopped = false;
    }
    drainStash();
    updateAutoRead();
    evaluateHold();
  }

  /** Relays what was read but held back, up to the next stop if a new hold wants one. */
  private void drainStash() {
    boolean wrote = false;
    while (!stash.isEmpty() && !readingStopped && phase == Phase.RELAYING) {
      relay(stash.pollFirst());
      wrote = true;
    }
    if (wrote) {
      backend.flush();
    }
  }

  /** Stops reading this client at the next command boundary outside a transaction. */
  void beginHold(RedisProxy.HoldRound round) {
    holdRound = round;
    settledReported = false;
    if (phase == Phase.CLOSED || phase == Phase.WAITING) {
      reportSettled();
      return;
    }
    if (phase != Phase.RELAYING || pinned != null || atTransactionBoundary()) {
      readingStopped = true;
    }
    updateAutoRead();
    evaluateHold();
  }

  /** The hold ends without a move: carry on with the same server. */
  void release(HostPort master) {
    holdRound = null;
    switch (phase) {
      case WAITING -> afterHoldWhileWaiting(master);
      case CLOSED -> { }
      default -> {
        if (phase == Phase.RELAYING && backend == null && master != null) {
          // Its backend went away during the hold: reconnect and replay, as a move would.
          phase = Phase.REPLAYING;
          openBackend(master);
        } else if (phase == Phase.RELAYING) {
          readingStopped = false;
          drainStash();
        } else {
          readingStopped = false;
        }
        updateAutoRead();
      }
    }
  }

  private void afterHoldWhileWaiting(HostPort master) {
    if (master != null) {
      connect(master);
    } else if (waitExpired) {
      proxy.countClosedWithoutMaster();
      close(null, false);
    }
  }

  /** The master changed without a hold (a crash failover): this connection may not stay. */
  void masterChanged(HostPort master) {
    holdRound = null;
    switch (phase) {
      case CLOSED -> { }
      case WAITING -> afterHoldWhileWaiting(master);
      default -> {
        if (master != null && master.equals(target)) {
          release(master);
        } else if (close(null, false)) {
          proxy.countClosedOnMasterChange();
        }
      }
    }
  }

  /** Moves this held connection to {@code master}, or closes it if it cannot move unnoticed. */
  void moveTo(HostPort master, RedisProxy.SwitchRound round) {
    holdRound = null;
    switch (phase) {
      case CLOSED -> round.skipped();
      case WAITING -> {
        afterHoldWhileWaiting(master);
        round.skipped();
      }
      default -> {
        String why = whyNotMovable();
        if (why != null) {
          if (switchRound != null) {
            switchRound.skipped();
          }
          switchRound = round;
          if (close(why, false)) {
            proxy.countClosedOnMasterChange();
          }
          return;
        }
        if (switchRound != null) {
          switchRound.skipped(); // a newer switch supersedes a move still in progress
        }
        switchRound = round;
        Channel old = backend;
        backend = null;
        if (old != null) {
          old.close();
        }
        phase = Phase.REPLAYING;
        readingStopped = true;
        openBackend(master);
      }
    }
  }

  private String whyNotMovable() {
    if (pinned != null) {
      return pinned;
    }
    if (!readingStopped) {
      return "was inside a command or transaction";
    }
    if (received < lastBlockingCommand) {
      return "was blocked in a blocking command";
    }
    if (received != sent) {
      return "still had replies outstanding";
    }
    return null;
  }

  private void evaluateHold() {
    if (holdRound == null || settledReported) {
      return;
    }
    if (phase == Phase.CLOSED
        || (readingStopped
            && (phase != Phase.RELAYING
                || pinned != null
                || received == sent
                || received < lastBlockingCommand))) {
      reportSettled();
    }
  }

  private void reportSettled() {
    if (!settledReported && holdRound != null) {
      settledReported = true;
      holdRound.settledOne();
    }
  }

  private void updateAutoRead() {
    if (phase == Phase.CLOSED) {
      return;
    }
    boolean readClient =
        phase == Phase.RELAYING && !readingStopped && backend != null && backend.isWritable();
    setAutoRead(client, readClient);
    if (backend != null) {
      setAutoRead(backend, client.isWritable());
    }
    held = phase == Phase.WAITING || readingStopped;
  }

  /** Called after every read burst: a plain read when nothing changes, not an atomic swap. */
  private static void setAutoRead(Channel ch, boolean on) {
    if (ch.config().isAutoRead() != on) {
      ch.config().setAutoRead(on);
    }
  }

  /**
   * Closes the client and its backend together.
   *
   * @param switchReason why a switch had to close it (reported in the switch's outcome), or null
   * @param flush let data already written reach each side first (a normal hang-up); a master
   *     change closes at once, so nothing more reaches the old master
   * @return whether this call closed it (false if it was closed already)
   */
  boolean close(String switchReason, boolean flush) {
    if (phase == Phase.CLOSED) {
      return false;
    }
    phase = Phase.CLOSED;
    held = false;
    cancel(waitTimer);
    cancel(authTimer);
    cancel(idleTimer);
    while (!stash.isEmpty()) {
      ReferenceCountUtil.release(stash.poll());
    }
    if (backend != null) {
      closeChannel(backend, flush);
    }
    closeChannel(client, flush);
    if (switchRound != null) {
      switchRound.closed(switchReason != null ? switchReason : "was closed during the move");
      switchRound = null;
    }
    reportSettled();
    proxy.unregister(this);
    return true;
  }

  private static void closeChannel(Channel ch, boolean flush) {
    if (flush && ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      ch.close();
    }
  }
}
