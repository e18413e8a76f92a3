package dev.redisha.endpoint.sentinel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: its authentication, name and subscriptions, and the commands it may
 * run. Replies follow Redis 7's Sentinel: the same reply shapes and error texts, checked in the
 * same order (unknown command, arity, authentication, Pub/Sub context). Runs on the endpoint's
 * event loop only.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
  static final int MAX_SUBSCRIPTIONS = 1024;
  private static final long CLOSE_GRACE_MS = 1000;

  /**
   * @param arity Redis' convention: n means exactly n arguments counting the name, -n at least n
   * @param noAuth may run before authentication
   * @param inPubSub may run while the connection has subscriptions
   */
  private record Spec(int arity, boolean noAuth, boolean inPubSub) {}

  private static final Map<String, Spec> COMMANDS =
      Map.ofEntries(
          Map.entry("ping", new Spec(-1, false, true)),
          Map.entry("auth", new Spec(-2, true, false)),
          Map.entry("hello", new Spec(-1, true, false)),
          Map.entry("client", new Spec(-2, false, false)),
          Map.entry("command", new Spec(-1, false, false)),
          Map.entry("info", new Spec(-1, false, false)),
          Map.entry("role", new Spec(1, false, false)),
          Map.entry("quit", new Spec(-1, true, true)),
          Map.entry("sentinel", new Spec(-2, false, false)),
          Map.entry("subscribe", new Spec(-2, false, true)),
          Map.entry("psubscribe", new Spec(-2, false, true)),
          Map.entry("unsubscribe", new Spec(-1, false, true)),
          Map.entry("punsubscribe", new Spec(-1, false, true)));

  /** Sentinel subcommands that change or probe Sentinel's own state; agents own that here. */
  private static final Set<String> UNSUPPORTED_SENTINEL =
      Set.of("failover", "reset", "monitor", "remove", "set", "config", "flushconfig",
          "ckquorum", "is-master-down-by-addr", "info-cache", "simulate-failure", "debug",
          "pending-scripts");

  private final SentinelEndpoint endpoint;
  private final long id;
  private final Set<String> channels = new LinkedHashSet<>();
  private final Set<String> patterns = new LinkedHashSet<>();
  private ChannelHandlerContext ctx;
  private boolean counted;
  private boolean authenticated;
  private boolean closing;
  private String clientName;
  /** The protocol HELLO chose: 2 (RESP2, the default) or 3. */
  private int protocol = 2;
  /** When the client last sent a command (or connected); for the idle timeout. */
  private long lastActiveNanos = System.nanoTime();

  ClientHandler(SentinelEndpoint endpoint, long id) {
    this.endpoint = endpoint;
    this.id = id;
  }

  /** Whether the connection may run commands (and use the decoder's full limits). */
  boolean mayUseFullLimits() {
    return authenticated || !endpoint.authRequired();
  }

  Set<String> channels() {
    return channels;
  }

  Set<String> patterns() {
    return patterns;
  }

  long lastActiveNanos() {
    return lastActiveNanos;
  }

  /** Subscribers wait for events and are never idle; closing ones are going anyway. */
  boolean subscribedOrClosing() {
    return subscribed() || closing;
  }

  Object remoteAddress() {
    return ctx == null ? "?" : ctx.channel().remoteAddress();
  }

  /** Closes the connection without a reply, as redis-server does on its idle timeout. */
  void closeIdle() {
    closing = true;
    counted = false;
    if (ctx != null) {
      ctx.close();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!endpoint.clientConnected(this)) {
      closing = true;
      ByteBuf buf = ctx.alloc().buffer();
      new Reply(buf).error("ERR max number of clients reached");
      replyAndClose(ctx, buf);
      return;
    }
    counted = true;
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      counted = false;
      endpoint.clientDisconnected(this);
    }
    endpoint.subscriptionsChanged(this, false);
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Command command)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (closing) {
      return;
    }
    lastActiveNanos = System.nanoTime();
    endpoint.commandProcessed();
    ByteBuf buf = ctx.alloc().buffer();
    try {
      dispatch(command, new Reply(buf, protocol == 3));
    } catch (RuntimeException e) {
      buf.release();
      endpoint.warnThrottled("failed to answer a command: {}", e.toString());
      buf = ctx.alloc().buffer();
      new Reply(buf).error("ERR internal error in the Sentinel endpoint");
    }
    if (closing) {
      replyAndClose(ctx, buf);
    } else {
      ctx.write(buf);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  /**
   * Back-pressure: a client that does not read its replies is not read from, and its buffered
   * requests are not decoded (see {@link RespDecoder}). Once the output drains, decoding restarts
   * on what is buffered, by passing an empty buffer through the decoder.
   */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    ctx.channel().config().setAutoRead(writable);
    if (writable) {
      // Later, not from inside whatever flush made the channel writable (maybe mid-decode).
      ctx.executor().execute(() -> {
        if (!closing && ctx.channel().isActive() && ctx.channel().isWritable()) {
          ctx.pipeline().fireChannelRead(Unpooled.EMPTY_BUFFER);
          ctx.pipeline().fireChannelReadComplete();
        }
      });
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * Sends a last reply and closes. The close does not wait on a client that never reads: after
   * {@link #CLOSE_GRACE_MS} the connection is closed whether the reply went out or not.
   */
  private static void replyAndClose(ChannelHandlerContext ctx, ByteBuf buf) {
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
    ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = cause instanceof DecoderException && cause.getCause() != null
        ? cause.getCause() : cause;
    if (closing) {
      return;
    }
    closing = true;
    if (root instanceof RespProtocolException) {
      endpoint.protocolError(ctx.channel().remoteAddress(), root.getMessage());
      ByteBuf buf = ctx.alloc().buffer();
      new Reply(buf).error("ERR Protocol error: " + root.getMessage());
      replyAndClose(ctx, buf);
      return;
    }
    if (!(root instanceof IOException)) {
      endpoint.warnThrottled("closed a connection from {} after an error: {}",
          ctx.channel().remoteAddress(), root.toString());
    }
    ctx.close();
  }

  /**
   * Sends a published message if this connection subscribed to the channel or a matching
   * pattern; returns how many messages it sent. A subscriber whose output is backed up is
   * disconnected, like redis-server's Pub/Sub output limit does.
   */
  int deliver(String channel, String message) {
    if (closing || ctx == null || !ctx.channel().isActive()) {
      return 0;
    }
    if (!ctx.channel().isWritable()) {
      endpoint.warnThrottled("closed subscriber {}: it does not read its messages",
          ctx.channel().remoteAddress());
      closing = true;
      ctx.close();
      return 0;
    }
    ByteBuf buf = ctx.alloc().buffer();
    Reply r = new Reply(buf, protocol == 3);
    int sent = 0;
    if (channels.contains(channel)) {
      r.push(3).bulk("message").bulk(channel).bulk(message);
      sent++;
    }
    for (String pattern : patterns) {
      if (Glob.matches(pattern, channel)) {
        r.push(4).bulk("pmessage").bulk(pattern).bulk(channel).bulk(message);
        sent++;
      }
    }
    if (sent > 0) {
      ctx.writeAndFlush(buf);
    } else {
      buf.release();
    }
    return sent;
  }

  private void dispatch(Command c, Reply r) {
    String name = c.name();
    Spec spec = COMMANDS.get(name);
    if (spec == null) {
      r.error(unknownCommand(c));
      return;
    }
    if (spec.arity() > 0 ? c.size() != spec.arity() : c.size() < -spec.arity()) {
      r.error("ERR wrong number of arguments for '" + name + "' command");
      return;
    }
    if (!spec.noAuth() && !mayUseFullLimits()) {
      r.error("NOAUTH Authentication required.");
      return;
    }
    // RESP3 carries messages as pushes, apart from replies, so Redis lets such clients run
    // any command while subscribed; RESP2 clients could not tell a reply from a message.
    if (subscribed() && protocol == 2 && !spec.inPubSub()) {
      r.error("ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING"
          + " / QUIT / RESET are allowed in this context");
      return;
    }
    switch (name) {
      case "ping" -> ping(c, r);
      case "auth" -> auth(c, r);
      case "hello" -> hello(c, r);
      case "client" -> client(c, r);
      case "command" -> command(c, r);
      case "info" -> info(c, r);
      case "role" -> r.array(2).bulk("sentinel").array(1).bulk(endpoint.masterName());
      case "quit" -> {
        r.simple("OK");
        closing = true;
      }
      case "sentinel" -> sentinel(c, r);
      case "subscribe" -> subscribe(c, r, channels, "subscribe");
      case "psubscribe" -> subscribe(c, r, patterns, "psubscribe");
      case "unsubscribe" -> unsubscribe(c, r, channels, "unsubscribe");
      case "punsubscribe" -> unsubscribe(c, r, patterns, "punsubscribe");
      default -> throw new IllegalStateException("no handler for " + name);
    }
  }

  private static String unknownCommand(Command c) {
    StringBuilder args = new StringBuilder();
    for (int i = 1; i < c.size() && args.length() < 128; i++) {
      args.append('\'').append(truncate(c.arg(i), 128 - args.length())).append("' ");
    }
    return "ERR unknown command '" + truncate(c.arg(0), 128) + "', with args beginning with: "
        + args;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, Math.max(0, max));
  }

  private boolean subscribed() {
    return !channels.isEmpty() || !patterns.isEmpty();
  }

  private int subscriptionCount() {
    return channels.size() + patterns.size();
  }

  private void ping(Command c, Reply r) {
    if (c.size() > 2) {
      r.error("ERR wrong number of arguments for 'ping' command");
    } else if (subscribed() && protocol == 2) {
      // RESP2 subscribers get PING's answer as a Pub/Sub-shaped array.
      r.array(2).bulk("pong").bulk(c.size() == 2 ? c.raw(1) : new byte[0]);
    } else if (c.size() == 2) {
      r.bulk(c.raw(1));
    } else {
      r.simple("PONG");
    }
  }

  private void auth(Command c, Reply r) {
    if (c.size() > 3) {
      r.error("ERR syntax error");
      return;
    }
    if (c.size() == 2 && !endpoint.authRequired()) {
      r.error("ERR AUTH <password> called without any password configured for the default user."
          + " Are you sure your configuration is correct?");
      return;
    }
    byte[] user = c.size() == 3 ? c.raw(1) : null;
    if (endpoint.authenticate(user, c.raw(c.size() - 1))) {
      authenticated = true;
      r.simple("OK");
    } else {
      r.error("WRONGPASS invalid username-password pair or user is disabled.");
    }
  }

  /**
   * HELLO [protover [AUTH user pass] [SETNAME name]], checked in redis-server's order: the
   * version, the options, the password, then authentication. The reply is a map in the chosen
   * protocol; Sentinel's HELLO has no "role" field (redis-server leaves it out in Sentinel mode).
   */
  private void hello(Command c, Reply r) {
    int version = protocol;
    if (c.size() >= 2) {
      long asked;
      try {
        asked = Long.parseLong(c.arg(1));
      } catch (NumberFormatException e) {
        r.error("ERR Protocol version is not an integer or out of range");
        return;
      }
      if (asked < 2 || asked > 3) {
        r.error("NOPROTO unsupported protocol version");
        return;
      }
      version = (int) asked;
    }
    byte[] user = null;
    byte[] pass = null;
    String newName = null;
    for (int i = 2; i < c.size(); i++) {
      String option = c.lower(i);
      if (option.equals("auth") && i + 2 < c.size()) {
        user = c.raw(i + 1);
        pass = c.raw(i + 2);
        i += 2;
      } else if (option.equals("setname") && i + 1 < c.size()) {
        newName = c.arg(i + 1);
        i += 1;
      } else {
        r.error("ERR Syntax error in HELLO option '" + truncate(c.arg(i), 128) + "'");
        return;
      }
    }
    if (pass != null) {
      if (!endpoint.authenticate(user, pass)) {
        r.error("WRONGPASS invalid username-password pair or user is disabled.");
        return;
      }
      authenticated = true;
    }
    if (!mayUseFullLimits()) {
      r.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the"
          + " HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and"
          + " select the RESP protocol version at the same time");
      return;
    }
    if (newName != null) {
      if (!validName(newName)) {
        r.error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
      clientName = newName.isEmpty() ? null : newName;
    }
    protocol = version;
    r.protocol(version == 3);
    r.map(6)
        .bulk("server").bulk("redis")
        .bulk("version").bulk(SentinelEndpoint.REDIS_VERSION)
        .bulk("proto").integer(version)
        .bulk("id").integer(id)
        .bulk("mode").bulk("sentinel")
        .bulk("modules").array(0);
  }

  private void client(Command c, Reply r) {
    String sub = c.lower(1);
    switch (sub) {
      case "setname" -> {
        if (c.size() != 3) {
          arity(r, "client|setname");
        } else if (!validName(c.arg(2))) {
          r.error("ERR Client names cannot contain spaces, newlines or special characters.");
        } else {
          clientName = c.arg(2).isEmpty() ? null : c.arg(2);
          r.simple("OK");
        }
      }
      case "getname" -> {
        if (c.size() != 2) {
          arity(r, "client|getname");
        } else {
          r.bulk(clientName);
        }
      }
      case "id" -> {
        if (c.size() != 2) {
          arity(r, "client|id");
        } else {
          r.integer(id);
        }
      }
      case "setinfo" -> {
        if (c.size() != 4) {
          arity(r, "client|setinfo");
          return;
        }
        String attribute = c.lower(2);
        if (!attribute.equals("lib-name") && !attribute.equals("lib-ver")) {
          r.error("ERR Unrecognized option '" + truncate(c.arg(2), 128) + "'");
        } else if (!validName(c.arg(3))) {
          r.error("ERR " + attribute + " cannot contain spaces, newlines or special characters.");
        } else {
          r.simple("OK");
        }
      }
      case "info" -> {
        if (c.size() != 2) {
          arity(r, "client|info");
        } else {
          r.verbatim(clientInfo() + "\n");
        }
      }
      case "help" -> help(r, "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "GETNAME", "ID", "INFO", "SETINFO <LIB-NAME|LIB-VER> <value>", "SETNAME <name>",
          "HELP");
      default -> unknownSubcommand(r, c, "CLIENT");
    }
  }

  private String clientInfo() {
    return "id=" + id
        + " addr=" + ctx.channel().remoteAddress()
        + " laddr=" + ctx.channel().localAddress()
        + " name=" + (clientName == null ? "" : clientName)
        + " db=0 sub=" + channels.size()
        + " psub=" + patterns.size()
        + " resp=" + protocol;
  }

  private void command(Command c, Reply r) {
    if (c.size() == 1) {
      r.array(COMMANDS.size());
      COMMANDS.keySet().stream().sorted().forEach(n -> commandEntry(r, n));
      return;
    }
    String sub = c.lower(1);
    switch (sub) {
      case "count" -> r.integer(COMMANDS.size());
      case "list" -> {
        r.array(COMMANDS.size());
        COMMANDS.keySet().stream().sorted().forEach(r::bulk);
      }
      case "info" -> {
        List<String> names = new ArrayList<>();
        for (int i = 2; i < c.size(); i++) {
          names.add(c.lower(i));
        }
        if (names.isEmpty()) {
          names.addAll(COMMANDS.keySet().stream().sorted().toList());
        }
        r.array(names.size());
        names.forEach(n -> {
          if (COMMANDS.containsKey(n)) {
            commandEntry(r, n);
          } else {
            r.nullArray();
          }
        });
      }
      // No documentation to give: an empty map.
      case "docs" -> r.map(0);
      case "help" -> help(r, "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "(no subcommand)", "COUNT", "DOCS [<command-name> ...]", "INFO [<command-name> ...]",
          "LIST", "HELP");
      default -> unknownSubcommand(r, c, "COMMAND");
    }
  }

  /** A COMMAND reply entry in Redis 7's ten-element shape. */
  private static void commandEntry(Reply r, String name) {
    Spec spec = COMMANDS.get(name);
    List<String> flags = new ArrayList<>(List.of("loading", "stale"));
    if (spec.noAuth()) {
      flags.add("no_auth");
    }
    r.array(10).bulk(name).integer(spec.arity()).set(flags.size());
    flags.forEach(r::simple);
    r.integer(0).integer(0).integer(0).set(0).array(0).array(0).array(0);
  }

  private void info(Command c, Reply r) {
    Set<String> wanted = new LinkedHashSet<>();
    for (int i = 1; i < c.size(); i++) {
      wanted.add(c.lower(i));
    }
    StringBuilder text = new StringBuilder();
    List<List<String>> sections = endpoint.infoSections(wanted);
    for (int i = 0; i < sections.size(); i++) {
      if (i > 0) {
        text.append("\r\n");
      }
      for (String line : sections.get(i)) {
        text.append(line).append("\r\n");
      }
    }
    r.bulk(text.toString());
  }

  private void sentinel(Command c, Reply r) {
    String sub = c.lower(1);
    Snapshot s = endpoint.snapshot();
    int others = endpoint.otherSentinels().size();
    switch (sub) {
      case "masters" -> {
        if (c.size() != 2) {
          arity(r, "sentinel|masters");
        } else {
          r.array(1).fields(Instances.master(s, endpoint.masterName(), others));
        }
      }
      case "master" -> {
        if (c.size() != 3) {
          arity(r, "sentinel|master");
        } else if (knownMaster(c, r)) {
          r.fields(Instances.master(s, endpoint.masterName(), others));
        }
      }
      case "replicas", "slaves" -> {
        if (c.size() != 3) {
          arity(r, "sentinel|" + sub);
        } else if (knownMaster(c, r)) {
          List<List<String>> replicas = Instances.replicas(s, endpoint::replOffset);
          r.array(replicas.size());
          replicas.forEach(r::fields);
        }
      }
      case "sentinels" -> {
        if (c.size() != 3) {
          arity(r, "sentinel|sentinels");
        } else if (knownMaster(c, r)) {
          List<List<String>> sentinels =
              Instances.sentinels(endpoint.otherSentinels(), endpoint.masterName());
          r.array(sentinels.size());
          sentinels.forEach(r::fields);
        }
      }
      case "get-master-addr-by-name" -> {
        if (c.size() != 3) {
          arity(r, "sentinel|get-master-addr-by-name");
        } else if (!c.arg(2).equals(endpoint.masterName()) || s.knownMaster().isEmpty()) {
          r.nullArray();
        } else {
          // Mid-switch too: the last known master, never nil, as a real Sentinel answers.
          r.array(2).bulk(s.knownMaster().get().host()).bulk(s.knownMaster().get().port());
        }
      }
      case "myid" -> {
        if (c.size() != 2) {
          arity(r, "sentinel|myid");
        } else {
          r.bulk(endpoint.runId());
        }
      }
      case "help" -> help(r, "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "GET-MASTER-ADDR-BY-NAME <master-name>", "MASTER <master-name>", "MASTERS",
          "MYID", "REPLICAS <master-name>", "SENTINELS <master-name>",
          "SLAVES <master-name>", "HELP");
      default -> {
        if (UNSUPPORTED_SENTINEL.contains(sub)) {
          r.error("ERR SENTINEL " + sub.toUpperCase(Locale.ROOT) + " is not supported: this is"
              + " redis-ha's Sentinel-compatible endpoint, and redis-ha's agents manage failover");
        } else {
          unknownSubcommand(r, c, "SENTINEL");
        }
      }
    }
  }

  private boolean knownMaster(Command c, Reply r) {
    if (c.arg(2).equals(endpoint.masterName())) {
      return true;
    }
    r.error("ERR No such master with that name");
    return false;
  }

  private void subscribe(Command c, Reply r, Set<String> into, String kind) {
    Set<String> fresh = new LinkedHashSet<>();
    for (int i = 1; i < c.size(); i++) {
      if (!into.contains(c.arg(i))) {
        fresh.add(c.arg(i));
      }
    }
    if (subscriptionCount() + fresh.size() > MAX_SUBSCRIPTIONS) {
      r.error("ERR too many subscriptions on this connection (at most " + MAX_SUBSCRIPTIONS + ")");
      return;
    }
    for (int i = 1; i < c.size(); i++) {
      into.add(c.arg(i));
      r.push(3).bulk(kind).bulk(c.raw(i)).integer(subscriptionCount());
    }
    endpoint.subscriptionsChanged(this, subscribed());
  }

  private void unsubscribe(Command c, Reply r, Set<String> from, String kind) {
    if (c.size() == 1) {
      if (from.isEmpty()) {
        r.push(3).bulk(kind).bulk((String) null).integer(subscriptionCount());
      }
      for (String name : List.copyOf(from)) {
        from.remove(name);
        r.push(3).bulk(kind).bulk(name).integer(subscriptionCount());
      }
    } else {
      for (int i = 1; i < c.size(); i++) {
        from.remove(c.arg(i));
        r.push(3).bulk(kind).bulk(c.raw(i)).integer(subscriptionCount());
      }
    }
    endpoint.subscriptionsChanged(this, subscribed());
  }

  private static void arity(Reply r, String fullName) {
    r.error("ERR wrong number of arguments for '" + fullName + "' command");
  }

  private static void unknownSubcommand(Reply r, Command c, String command) {
    r.error("ERR unknown subcommand '" + truncate(c.arg(1), 128) + "'. Try " + command + " HELP.");
  }

  private static void help(Reply r, String first, String... lines) {
    r.array(lines.length + 1).simple(first);
    for (String line : lines) {
      r.simple(line);
    }
  }

  /** Client names and library info: printable ASCII without spaces, as redis-server requires. */
  private static boolean validName(String name) {
    return name.chars().allMatch(ch -> ch >= '!' && ch <= '~');
  }
}
