package dev.redisha.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.event.Event;
import dev.redisha.config.ApiTlsConfig;
import dev.redisha.config.PemFiles;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.GeneralSecurityException;
import java.util.OptionalLong;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API (DESIGN §6): {@code GET /status}, {@code GET /health} for load balancers,
 * {@code GET /metrics} for Prometheus, and the operator commands {@code POST /switchover},
 * {@code /pause} and {@code /resume}, which need the bearer token (DESIGN §3 rule 6), and the
 * dashboard page at {@code /} ({@link DashboardFiles}).
 *
 * <h2>Why Netty and not the JDK's HttpServer</h2>
 * A load balancer takes the master out when {@code /health} stops answering, so no client that
 * merely connects may delay it. The JDK's {@code com.sun.net.httpserver} reads a request's
 * headers on a thread of its executor, blocking, from the first byte on: a client that sends one
 * header byte a second holds a thread for as long as it likes, and four of them (or any pool
 * size) queue every health check behind them. Its {@code sun.net.httpserver.maxReqTime} closes
 * such a request only after that time, the queue ahead of a health check grows with the number
 * of slow clients, and an unbounded pool is a thread per slow client. Here one event loop parses
 * every connection's bytes as they come, so a slow or silent client costs a few hundred bytes
 * and no thread, and the limits below bound it in time and number.
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>A request must arrive complete, headers and body, within {@link Limits#requestTimeout()}
 *       of the connection opening or of the previous answer on it; else the connection is closed.
 *       This covers both the client that sends nothing and the one that trickles bytes.
 *   <li>At most {@link Limits#maxConnections()} connections; one more closes the connection that
 *       has waited longest for its request, never one whose request is being answered, so a flood
 *       of idle sockets cannot keep a health check out.
 *   <li>Request line 4 KiB, headers 8 KiB, body 64 KiB (the API takes no body), four pipelined
 *       requests queued per connection.
 *   <li>{@code /health} is answered on the event loop from the status snapshot, apart from
 *       everything else; the other GET routes run on one reader thread (the event log's lock may
 *       be held while it writes to disk); the operations on two threads of their own, since a
 *       switchover holds its thread until the handover ends. A full queue answers 503.
 * </ul>
 */
public final class ApiServer implements AutoCloseable {
  /** How many of the most recent events {@code GET /status} includes. */
  static final int STATUS_EVENTS = 20;

  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final String JSON = "application/json";
  // The Prometheus text exposition format that PrometheusMeterRegistry.scrape() produces.
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final int MAX_INITIAL_LINE = 4096;
  private static final int MAX_HEADER_BYTES = 8192;
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int MAX_PIPELINED = 4;
  // Two switchovers or a pause during a switchover can run at once; more wait a little, then 503.
  private static final int OPERATION_THREADS = 2;
  private static final int OPERATION_QUEUE = 4;
  private static final int READ_QUEUE = 64;

  /**
   * How much a client may take of the API.
   *
   * @param requestTimeout how long a connection may take to send a complete request, counted
   *     from its opening or from the previous answer; it is closed then
   * @param maxConnections connections held at once; one more closes the one that has waited
   *     longest for its request
   */
  public record Limits(Duration requestTimeout, int maxConnections) {
    /** Generous for any client on a network, short enough that slow ones do not pile up. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Well above what operators, scrapers and load balancers open at once; an idle one holds no thread. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;

    public Limits {
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      if (requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
      }
    }

    public static Limits defaults() {
      return new Limits(DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
    }
  }

  /**
   * Where the API's answers come from.
   *
   * @param status the agent's current status, read on every request; must not block, since the
   *     health checks read it on the I/O thread
   * @param recentEvents the event log's recent events, oldest first
   * @param history the master changes this agent recorded, oldest first (may read a file)
   * @param metrics the Prometheus text exposition
   * @param operations the write operations
   */
  public record Sources(
      Supplier<NodeStatus> status,
      Supplier<List<Event>> recentEvents,
      Supplier<List<Transition>> history,
      Supplier<String> metrics,
      OperationHandler operations) {
    public Sources {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(recentEvents, "recentEvents");
      Objects.requireNonNull(history, "history");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(operations, "operations");
    }
  }

  /**
   * How the API is secured and how its checks judge.
   *
   * @param writeToken needed by POST operations (and allows reads); without one they get 403
   * @param readToken when present, the status documents need it or the write token
   * @param tls when present the API speaks HTTPS only
   * @param readinessLagBytes how far behind a replica may be and still be ready ({@code /readiness})
   * @param livenessTimeout how long the status may stay unchanged before {@code /liveness} says the
   *     agent's decision loop is stuck (it rebuilds the status on every pass, many times a second)
   * @param layout every member's addresses, for {@code /cluster}
   */
  public record Settings(
      Optional<Secret> writeToken,
      Optional<Secret> readToken,
      Optional<ApiTlsConfig> tls,
      long readinessLagBytes,
      Duration livenessTimeout,
      ClusterView.Layout layout,
      Limits limits) {
    public Settings {
      Objects.requireNonNull(writeToken, "writeToken");
      Objects.requireNonNull(readToken, "readToken");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(livenessTimeout, "livenessTimeout");
      Objects.requireNonNull(layout, "layout");
      Objects.requireNonNull(limits, "limits");
    }

    /** What a node's config asks for: its tokens, TLS, the members' addresses, the thresholds. */
    public static Settings forConfig(dev.redisha.config.NodeConfig config) {
      Map<String, String> redis = new HashMap<>();
      Map<String, String> api = new HashMap<>();
      String scheme = config.api().scheme();
      redis.put(config.nodeId(), config.redis().announce().toString());
      api.put(config.nodeId(), scheme + "://" + config.api().listen());
      for (dev.redisha.config.PeerConfig p : config.peers()) {
        redis.put(p.nodeId(), p.redis().toString());
        p.api().ifPresent(a -> api.put(p.nodeId(), scheme + "://" + a));
      }
      // A decision-loop pass may legitimately take a whole switchover (the master runs it on that
      // thread), so liveness allows for one, twice over, before calling the loop stuck.
      long downMs = config.coordination().advertIntervalMs() * config.coordination().downAfterAdverts();
      Duration liveness = Duration.ofMillis(Math.max(DEFAULT_LIVENESS_TIMEOUT.toMillis(),
          2 * config.failover().switchoverTimeoutMs() + downMs));
      return new Settings(config.api().token(), config.api().readToken(), config.api().tls(),
          config.failover().maxCatchUpLagBytes(), liveness, new ClusterView.Layout(redis, api), Limits.defaults());
    }

    /** Only a write token; the defaults for the rest (as before TLS and the read token existed). */
    public static Settings withWriteToken(Optional<Secret> token, Limits limits) {
      return new Settings(token, Optional.empty(), Optional.empty(), DEFAULT_READINESS_LAG_BYTES,
          DEFAULT_LIVENESS_TIMEOUT, ClusterView.Layout.EMPTY, limits);
    }
  }

  /** As {@code failover.max_catch_up_lag_bytes}' default: a replica this close can take over at once. */
  public static final long DEFAULT_READINESS_LAG_BYTES = 1_048_576;
  public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofSeconds(5);

  private final Limits limits;
  private final EventLoopGroup loop;
  private final AdmissionPool reads;
  private final AdmissionPool operationsPool;
  private final Supplier<NodeStatus> status;
  private final Supplier<List<Event>> recentEvents;
  private final Supplier<List<Transition>> history;
  private final Supplier<String> metricsText;
  private final BearerTokenCheck tokenCheck;
  private final BearerTokenCheck readTokenCheck;
  private final Settings settings;
  private final Optional<SslContext> tls;
  private final LivenessWatch liveness;
  private final OperationHandler operations;
  private final Map<String, Route> routes;
  private final Map<String, Route> dashboard = dashboardRoutes(DashboardFiles.load());
  private final ConnectionTable connections;
  private final AtomicLong accepted = new AtomicLong();
  private Channel server;

  private ApiServer(Sources sources, Settings settings, Optional<SslContext> tls) {
    this.limits = settings.limits();
    this.settings = settings;
    this.tls = tls;
    this.status = sources.status();
    this.recentEvents = sources.recentEvents();
    this.history = sources.history();
    this.metricsText = sources.metrics();
    this.tokenCheck = new BearerTokenCheck(settings.writeToken());
    this.readTokenCheck = new BearerTokenCheck(settings.readToken());
    this.operations = sources.operations();
    this.liveness = new LivenessWatch(settings.livenessTimeout());
    this.connections = new ConnectionTable(limits.maxConnections());
    // One thread accepts and parses for every connection, so the connection table needs no lock.
    this.loop =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("api-http", true), NioIoHandler.newFactory());
    this.reads = new AdmissionPool("api-read", 1, READ_QUEUE);
    this.operationsPool = new AdmissionPool("api-operation", OPERATION_THREADS, OPERATION_QUEUE);
    Map<String, Route> all = new HashMap<>();
    // Health checks: no token ever (load balancers send none), answered on the event loop from
    // the snapshot, and HEAD and OPTIONS get the GET's status code.
    all.put("/primary", Route.check(request -> HealthChecks.primary(status.get())));
    all.put("/read-write", Route.check(request -> HealthChecks.primary(status.get())));
    all.put("/replica", Route.check(request -> HealthChecks.replica(status.get(), lagParameter(request))));
    all.put("/read-only", Route.check(request -> HealthChecks.readOnly(status.get(), lagParameter(request))));
    all.put("/health", Route.check(request -> HealthChecks.health(status.get())));
    all.put("/readiness", Route.check(request -> HealthChecks.readiness(status.get(),
        lagParameter(request).orElse(settings.readinessLagBytes()))));
    all.put("/liveness", Route.check(request -> liveness.check(status.get())));
    all.put("/status", new Route("GET", Where.READER, Access.READ, request -> status()));
    all.put("/cluster", new Route("GET", Where.READER, Access.READ,
        request -> Reply.json(200, ClusterView.tree(status.get(), settings.layout()))));
    all.put("/history", new Route("GET", Where.READER, Access.READ, request -> history()));
    all.put("/metrics", new Route("GET", Where.READER, Access.READ, request -> metrics()));
    all.put("/switchover", new Route("POST", Where.OPERATIONS, Access.WRITE, this::switchover));
    all.put("/failover", new Route("POST", Where.OPERATIONS, Access.WRITE, this::failover));
    all.put("/pause", new Route("POST", Where.OPERATIONS, Access.WRITE, this::pause));
    all.put("/resume", new Route("POST", Where.OPERATIONS, Access.WRITE, this::resume));
    this.routes = Map.copyOf(all);
  }

  /**
   * Binds {@code listen} (port 0 picks a free port, see {@link #port()}) and starts serving,
   * with the default {@link Limits}.
   *
   * @param status the agent's current status, read on every request; must not block, since
   *     {@code /health} reads it on the I/O thread
   * @param recentEvents the event log's recent events, oldest first
   * @param token the bearer token for POST operations; without one they are refused with 403
   * @throws IllegalArgumentException if the token is empty
   * @throws IOException if the address cannot be bound
   */
  public static ApiServer start(
      HostPort listen,
      Supplier<NodeStatus> status,
      Supplier<List<Event>> recentEvents,
      Optional<Secret> token,
      PrometheusMeterRegistry registry,
      OperationHandler operations)
      throws IOException {
    return start(listen, status, recentEvents, token, registry, operations, Limits.defaults());
  }

  /** As {@link #start(HostPort, Supplier, Supplier, Optional, PrometheusMeterRegistry,
   * OperationHandler)}, with the given limits. */
  public static ApiServer start(
      HostPort listen,
      Supplier<NodeStatus> status,
      Supplier<List<Event>> recentEvents,
      Optional<Secret> token,
      PrometheusMeterRegistry registry,
      OperationHandler operations,
      Limits limits)
      throws IOException {
    Objects.requireNonNull(recentEvents, "recentEvents");
    Objects.requireNonNull(registry, "registry");
    Sources sources = new Sources(status, recentEvents, () -> TransitionHistory.of(recentEvents.get()),
        registry::scrape, operations);
    return start(listen, sources, Settings.withWriteToken(Objects.requireNonNull(token, "token"), limits));
  }

  /**
   * Binds {@code listen} (port 0 picks a free port, see {@link #port()}) and starts serving.
   *
   * @throws IllegalArgumentException if a token is empty or the TLS files do not make a server
   *     identity
   * @throws IOException if the address cannot be bound
   */
  public static ApiServer start(HostPort listen, Sources sources, Settings settings) throws IOException {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(sources, "sources");
    Objects.requireNonNull(settings, "settings");
    Optional<SslContext> tls = settings.tls().map(ApiServer::sslContext);
    ApiServer api = new ApiServer(sources, settings, tls);
    api.bind(listen);
    Thread warmUp = new Thread(api::warmUp, "api-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
    log.info(
        "HTTP API listening on {}://{}:{}{}{}",
        tls.isPresent() ? "https" : "http",
        listen.host(),
        api.port(),
        settings.writeToken().isPresent() ? "" : " (no token configured: write operations disabled)",
        settings.readToken().isPresent() ? " (reads need a token)" : "");
    return api;
  }

  private static SslContext sslContext(ApiTlsConfig config) {
    try {
      return SslContextBuilder.forServer(PemFiles.keyManagers(config.certFile(), config.keyFile())).build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("api.tls: cannot use " + config.certFile() + " and " + config.keyFile()
          + ": " + e.getMessage(), e);
    }
  }

  private void bind(HostPort listen) throws IOException {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(loop)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    // The handshake counts against the request timeout like any slow request.
                    tls.ifPresent(context -> ch.pipeline().addLast(context.newHandler(ch.alloc())));
                    ch.pipeline()
                        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                        .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                        .addLast(new Connection(ch));
                  }
                });
    ChannelFuture bound =
        bootstrap.bind(new InetSocketAddress(listen.host(), listen.port())).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      shutdown();
      Throwable cause = bound.cause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause.getMessage(), cause);
    }
    server = bound.channel();
  }

  /**
   * Runs a request through the codec and answers the GET routes once, off to the side, so the
   * classes they need are loaded before the first load balancer probe rather than during it (on
   * a busy two-core host the first answer otherwise took about two seconds, past a typical
   * health check timeout).
   */
  private void warmUp() {
    try {
      EmbeddedChannel channel =
          new EmbeddedChannel(
              new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192),
              new HttpObjectAggregator(MAX_BODY_BYTES));
      channel.writeInbound(
          Unpooled.copiedBuffer("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
      FullHttpRequest request = channel.readInbound();
      if (request != null) {
        request.release();
      }
      Reply reply = answer(routes.get("/primary"), new Request("GET", "/primary", null, null, "warm-up"));
      channel.writeOutbound(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(reply.code()),
              Unpooled.wrappedBuffer(reply.body())));
      channel.finishAndReleaseAll();
      status();
      metrics();
      answer(routes.get("/replica"), new Request("GET", "/replica", "lag=1MB", null, "warm-up"));
      // The first /history parses the event log: Jackson's record deserializers load then (over a
      // second on a busy host, past the CLI's patience).
      history();
      reads.prestart();
      operationsPool.prestart();
    } catch (RuntimeException e) {
      log.debug("HTTP API warm-up failed (the first request will be slower): {}", e.toString());
    }
  }

  /** The bound port; differs from the configured one when that was 0. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Connections accepted since the start, including those closed since. */
  long acceptedConnections() {
    return accepted.get();
  }

  /** Operations queued behind the running ones. */
  int operationsWaiting() {
    return operationsPool.waiting();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    shutdown();
  }

  private void shutdown() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    List<ExecutorService> pools = List.of(reads.executor(), operationsPool.executor());
    for (ExecutorService pool : pools) {
      pool.shutdown();
    }
    try {
      for (ExecutorService pool : pools) {
        if (!pool.awaitTermination(2, TimeUnit.SECONDS)) {
          pool.shutdownNow();
        }
      }
      loop.terminationFuture().await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      pools.forEach(ExecutorService::shutdownNow);
      Thread.currentThread().interrupt();
    }
  }

  /** Answers {@code request} where its route says; the reply comes back through {@code done}. */
  private void dispatch(Request request, Consumer<Reply> done) {
    Route route = routes.getOrDefault(request.path(), dashboard.get(request.path()));
    if (route == null) {
      done.accept(Reply.error(404, "no such endpoint: " + request.path()));
      return;
    }
    // Some load balancers probe with HEAD, HAProxy's examples for Patroni with OPTIONS: both get
    // the status code of the GET (and no body).
    boolean headOfGet = request.method().equals("HEAD") && route.method().equals("GET");
    boolean optionsOfCheck = request.method().equals("OPTIONS") && route.access() == Access.OPEN;
    String allowed = route.method().equals("GET") ? "GET, HEAD, OPTIONS" : route.method() + ", OPTIONS";
    if (request.method().equals("OPTIONS") && !optionsOfCheck) {
      done.accept(new Reply(204, JSON, new byte[0], Map.of("Allow", allowed)));
      return;
    }
    if (!route.method().equals(request.method()) && !headOfGet && !optionsOfCheck) {
      done.accept(
          Reply.error(405, request.path() + " accepts only " + allowed)
              .withHeader("Allow", allowed));
      return;
    }
    if (route.access() == Access.READ) {
      Optional<Reply> refused = refusedRead(request);
      if (refused.isPresent()) {
        done.accept(refused.get());
        return;
      }
    }
    Runnable answer = () -> done.accept(answer(route, request));
    try {
      switch (route.where()) {
        case EVENT_LOOP -> answer.run();
        case READER -> reads.execute(answer);
        case OPERATIONS -> operationsPool.execute(answer);
      }
    } catch (RejectedExecutionException e) {
      log.warn("{} {} from {} refused: {} queue full", request.method(), request.path(),
          request.from(), route.where() == Where.READER ? "status" : "operation");
      done.accept(Reply.error(503, "busy: too many requests in progress, try again"));
    }
  }

  private Reply answer(Route route, Request request) {
    try {
      return route.handler().apply(request);
    } catch (BadRequest e) {
      return Reply.error(400, e.getMessage());
    } catch (RuntimeException e) {
      // The server must survive a bug in a supplier or handler; the client learns nothing of
      // the internals.
      log.warn("{} {} failed", request.method(), request.path(), e);
      return Reply.error(500, "internal error");
    }
  }

  // The files are in memory: answered on the event loop like /health, never queued behind reads.
  private static Map<String, Route> dashboardRoutes(DashboardFiles files) {
    Map<String, Route> byPath = new HashMap<>();
    for (String path : files.paths()) {
      DashboardFiles.File file = files.at(path).orElseThrow();
      Reply reply = new Reply(200, file.contentType(), file.body(), file.headers());
      byPath.put(path, new Route("GET", Where.EVENT_LOOP, Access.OPEN, request -> reply));
    }
    return Map.copyOf(byPath);
  }

  private Reply status() {
    ObjectNode body = (ObjectNode) StatusJson.tree(status.get());
    List<Event> events = recentEvents.get();
    List<Event> newest = events.subList(Math.max(0, events.size() - STATUS_EVENTS), events.size());
    body.set("events", StatusJson.tree(newest));
    return Reply.json(200, body);
  }

  private Reply history() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("node_id", status.get().nodeId());
    body.set("transitions", StatusJson.tree(history.get()));
    return Reply.json(200, body);
  }

  private Reply metrics() {
    byte[] text = metricsText.get().getBytes(StandardCharsets.UTF_8);
    return new Reply(200, PROMETHEUS_TEXT, text, Map.of());
  }

  private static OptionalLong lagParameter(Request request) {
    String lag = parseQuery(request.rawQuery(), Set.of("lag")).get("lag");
    if (lag == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(ByteSize.parse(lag));
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
  }

  /**
   * Reads are open unless a read token is configured; then the read token or the write token
   * (which can do everything) must come with the request.
   */
  private Optional<Reply> refusedRead(Request request) {
    BearerTokenCheck.Verdict read = readTokenCheck.check(request.authorization());
    if (read == BearerTokenCheck.Verdict.DISABLED || read == BearerTokenCheck.Verdict.ALLOWED
        || tokenCheck.check(request.authorization()) == BearerTokenCheck.Verdict.ALLOWED) {
      return Optional.empty();
    }
    log.warn("{} {} from {} refused: {}", request.method(), request.path(), request.from(),
        read == BearerTokenCheck.Verdict.MISSING ? "no bearer token" : "wrong token");
    return Optional.of(Reply.error(401, read == BearerTokenCheck.Verdict.MISSING ? "missing bearer token" : "wrong token")
        .withHeader("WWW-Authenticate", "Bearer realm=\"redis-ha\""));
  }

  private Reply switchover(Request request) {
    return operate(
        request,
        Set.of("to", "cancel", "at"),
        query -> "true".equals(query.get("cancel"))
            ? operations.cancelSwitchover()
            : query.containsKey("at")
                ? query.containsKey("to") ? operations.scheduleSwitchover(query.get("to"), query.get("at"))
                    : OperationResult.refused("a scheduled switchover needs its target: ?to=NODE&at=TIME")
                : operations.switchover(Optional.ofNullable(query.get("to"))));
  }

  private Reply failover(Request request) {
    return operate(request, Set.of("to", "allow_data_loss"), query -> query.containsKey("to")
        ? operations.failover(query.get("to"), "true".equals(query.get("allow_data_loss")))
        : OperationResult.refused("a forced failover needs its target: ?to=NODE"));
  }

  private Reply pause(Request request) {
    return operate(request, Set.of(), query -> operations.pause());
  }

  private Reply resume(Request request) {
    return operate(request, Set.of(), query -> operations.resume());
  }

  private Reply operate(
      Request exchange,
      Set<String> parameters,
      Function<Map<String, String>, OperationResult> operation) {
    String request = exchange.method() + " " + exchange.path();
    String from = exchange.from();
    BearerTokenCheck.Verdict verdict = tokenCheck.check(exchange.authorization());
    switch (verdict) {
      case DISABLED:
        log.warn("{} from {} refused: no token configured", request, from);
        return Reply.error(403, "no token configured: write operations disabled");
      case MISSING:
        log.warn("{} from {} refused: no bearer token", request, from);
        return Reply.error(401, "missing bearer token")
            .withHeader("WWW-Authenticate", "Bearer realm=\"redis-ha\"");
      case WRONG:
        if (readTokenCheck.check(exchange.authorization()) == BearerTokenCheck.Verdict.ALLOWED) {
          log.warn("{} from {} refused: the read-only token cannot write", request, from);
          return Reply.error(403, "the read-only token cannot write; use the write token");
        }
        log.warn("{} from {} refused: wrong token", request, from);
        return Reply.error(401, "wrong token")
            .withHeader("WWW-Authenticate", "Bearer realm=\"redis-ha\"");
      case ALLOWED:
        break;
    }
    Map<String, String> query = parseQuery(exchange.rawQuery(), parameters);
    OperationResult result = operation.apply(query);
    log.info(
        "{}{} from {}: {}: {}",
        request,
        query.isEmpty() ? "" : " " + query,
        from,
        result.accepted() ? "accepted" : "refused",
        result.message());
    return Reply.json(result.accepted() ? 200 : 409, StatusJson.tree(result));
  }

  // Unknown parameters are refused, not ignored: "/switchover?node=b" must not quietly become
  // a switchover to whichever node the agent picks.
  private static Map<String, String> parseQuery(String rawQuery, Set<String> allowed) {
    Map<String, String> query = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (!allowed.contains(name)) {
        throw new BadRequest("unknown parameter: " + name);
      }
      if (value.isBlank()) {
        throw new BadRequest("parameter " + name + " is empty");
      }
      if (query.put(name, value) != null) {
        throw new BadRequest("parameter " + name + " is given twice");
      }
    }
    return query;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("malformed query string");
    }
  }

  /** Which thread answers a route. */
  private enum Where {
    /** At once, on the I/O thread: only for routes that read a snapshot and never block. */
    EVENT_LOOP,
    READER,
    OPERATIONS
  }

  /** Who may call a route. */
  private enum Access {
    /** Health checks: anyone, never a token (load balancers). */
    OPEN,
    /** Status documents: anyone, or with a token when a read token is configured. */
    READ,
    /** Operations: the write token. */
    WRITE
  }

  private record Route(String method, Where where, Access access, Function<Request, Reply> handler) {
    static Route check(Function<Request, HealthChecks.Check> check) {
      return new Route("GET", Where.EVENT_LOOP, Access.OPEN, request -> {
        HealthChecks.Check c = check.apply(request);
        return Reply.json(c.code(), c.body());
      });
    }
  }

  /** What the routes need of a request. */
  private record Request(
      String method, String path, String rawQuery, String authorization, String from) {}

  /**
   * One client connection: answers its requests one at a time, in order, and closes it when a
   * request does not arrive complete in time. Runs on the event loop, except the reply callback,
   * which hops back to it.
   */
  private final class Connection extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Channel channel;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private boolean answering;
    private ScheduledFuture<?> deadline;

    Connection(Channel channel) {
      super(false); // requests are released once answered, possibly after a queue
      this.channel = channel;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      accepted.incrementAndGet();
      if (!connections.admit(channel)) {
        log.debug("refused a connection from {}: {} connections, all answering",
            channel.remoteAddress(), limits.maxConnections());
        channel.close();
        return;
      }
      awaitRequest();
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      connections.remove(channel);
      cancelDeadline();
      while (!queued.isEmpty()) {
        queued.poll().release();
      }
      ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (queued.size() >= MAX_PIPELINED) {
        request.release();
        log.debug("closing {}: more than {} pipelined requests", channel.remoteAddress(), MAX_PIPELINED);
        channel.close();
        return;
      }
      queued.add(request);
      cancelDeadline();
      connections.answering(channel);
      if (!answering) {
        answerNext();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("HTTP API connection from {}: {}", channel.remoteAddress(), cause.toString());
      channel.close();
    }

    private void answerNext() {
      FullHttpRequest next = queued.poll();
      if (next == null) {
        answering = false;
        awaitRequest();
        return;
      }
      answering = true;
      boolean keepAlive = HttpUtil.isKeepAlive(next) && next.decoderResult().isSuccess();
      // Neither HEAD nor OPTIONS of a check carries a body: a probe that wants none gets none.
      boolean head = next.method().equals(HttpMethod.HEAD);
      boolean options = next.method().equals(HttpMethod.OPTIONS);
      Request request;
      try {
        request = parse(next);
      } catch (BadRequest e) {
        respond(Reply.error(400, e.getMessage()), head, options, false);
        return;
      } finally {
        next.release();
      }
      dispatch(request, reply -> channel.eventLoop().execute(() -> respond(reply, head, options, keepAlive)));
    }

    private Request parse(FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        throw new BadRequest("malformed request: " + request.decoderResult().cause().getMessage());
      }
      URI target;
      try {
        target = new URI(request.uri());
      } catch (URISyntaxException e) {
        throw new BadRequest("malformed request target");
      }
      String path = target.getPath() == null ? "" : target.getPath();
      return new Request(
          request.method().name(),
          path,
          target.getRawQuery(),
          request.headers().get(HttpHeaderNames.AUTHORIZATION),
          String.valueOf(channel.remoteAddress()));
    }

    private void respond(Reply reply, boolean head, boolean options, boolean keepAlive) {
      if (!channel.isActive()) {
        return;
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(reply.code()),
              head || options ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
      HttpHeaders headers = response.headers();
      headers.set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
      // Status and health describe this instant; a cached copy would mislead.
      headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      reply.headers().forEach(headers::set);
      // A HEAD answer tells the length the GET would have had; an OPTIONS answer has no body.
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, options ? 0 : reply.body().length);
      HttpUtil.setKeepAlive(response, keepAlive);
      ChannelFuture written = channel.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
        return;
      }
      written.addListener(
          (ChannelFutureListener)
              f -> {
                if (f.isSuccess()) {
                  answerNext();
                } else {
                  log.debug("could not answer {}: {}", channel.remoteAddress(), f.cause().toString());
                  channel.close();
                }
              });
    }

    /** From now on the client has {@link Limits#requestTimeout()} to send a whole request. */
    private void awaitRequest() {
      if (!channel.isActive()) {
        return;
      }
      connections.awaiting(channel);
      cancelDeadline();
      deadline =
          channel
              .eventLoop()
              .schedule(
                  () -> {
                    log.debug("closing {}: no complete request within {} ms",
                        channel.remoteAddress(), limits.requestTimeout().toMillis());
                    channel.close();
                  },
                  limits.requestTimeout().toMillis(),
                  TimeUnit.MILLISECONDS);
    }

    private void cancelDeadline() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }
  }

  private record Reply(int code, String contentType, byte[] body, Map<String, String> headers) {

    static Reply json(int code, Object body) {
      return new Reply(code, JSON, StatusJson.write(body), Map.of());
    }

    static Reply error(int code, String message) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("error", message);
      return json(code, body);
    }

    Reply withHeader(String name, String value) {
      Map<String, String> more = new HashMap<>(headers);
      more.put(name, value);
      return new Reply(code, contentType, body, Map.copyOf(more));
    }
  }

  /** A request the client got wrong; answered with 400 and the message. */
  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
