package dev.redisha.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.coordination.AgentState;
import dev.redisha.event.Event;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API (DESIGN §6): {@code GET /status}, {@code GET /health} for load balancers,
 * {@code GET /metrics} for Prometheus, and the operator commands {@code POST /switchover},
 * {@code /pause} and {@code /resume}, which need the bearer token (DESIGN §3 rule 6).
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} rather than Netty: the project's Netty
 * modules have no HTTP codec, so Netty would mean a new dependency, and an admin API answering a
 * few requests a second from operators, scrapers and load balancers gains nothing from an event
 * loop.
 */
public final class ApiServer implements AutoCloseable {
  /** How many of the most recent events {@code GET /status} includes. */
  static final int STATUS_EVENTS = 20;

  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  // A switchover holds its thread until the handover ends; the others keep /health answering
  // for the load balancers meanwhile.
  private static final int THREADS = 4;
  private static final String JSON = "application/json";
  // The Prometheus text exposition format that PrometheusMeterRegistry.scrape() produces.
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Supplier<NodeStatus> status;
  private final Supplier<List<Event>> recentEvents;
  private final BearerTokenCheck tokenCheck;
  private final PrometheusMeterRegistry registry;
  private final OperationHandler operations;
  private final Map<String, Route> routes;

  private ApiServer(
      HttpServer server,
      ExecutorService executor,
      Supplier<NodeStatus> status,
      Supplier<List<Event>> recentEvents,
      BearerTokenCheck tokenCheck,
      PrometheusMeterRegistry registry,
      OperationHandler operations) {
    this.server = server;
    this.executor = executor;
    this.status = status;
    this.recentEvents = recentEvents;
    this.tokenCheck = tokenCheck;
    this.registry = registry;
    this.operations = operations;
    this.routes =
        Map.of(
            "/status", new Route("GET", exchange -> status()),
            "/health", new Route("GET", exchange -> health()),
            "/metrics", new Route("GET", exchange -> metrics()),
            "/switchover", new Route("POST", this::switchover),
            "/pause", new Route("POST", this::pause),
            "/resume", new Route("POST", this::resume));
  }

  /**
   * Binds {@code listen} (port 0 picks a free port, see {@link #port()}) and starts serving.
   *
   * @param status the agent's current status, read on every request
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
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(recentEvents, "recentEvents");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(operations, "operations");
    BearerTokenCheck tokenCheck = new BearerTokenCheck(Objects.requireNonNull(token, "token"));
    HttpServer server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 0);
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
    server.setExecutor(executor);
    ApiServer api =
        new ApiServer(server, executor, status, recentEvents, tokenCheck, registry, operations);
    server.createContext("/", api::handle);
    server.start();
    log.info(
        "HTTP API listening on {}:{}{}",
        listen.host(),
        api.port(),
        token.isPresent() ? "" : " (no token configured: write operations disabled)");
    return api;
  }

  /** The bound port; differs from the configured one when that was 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    // stop(0): the JDK 17 server otherwise waits out the whole delay even when idle.
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    try {
      Reply reply;
      try {
        reply = route(exchange, method, path);
      } catch (BadRequest e) {
        reply = Reply.error(400, e.getMessage());
      } catch (RuntimeException e) {
        // The server thread must survive a bug in a supplier or handler; the client learns
        // nothing of the internals.
        log.warn("{} {} failed", method, path, e);
        reply = Reply.error(500, "internal error");
      }
      send(exchange, reply);
    } catch (IOException | RuntimeException e) {
      log.debug("could not answer {} {}: {}", method, path, e.toString());
    } finally {
      exchange.close();
    }
  }

  private Reply route(HttpExchange exchange, String method, String path) {
    Route route = routes.get(path);
    if (route == null) {
      return Reply.error(404, "no such endpoint: " + path);
    }
    // Some load balancers probe with HEAD; it gets the status code of the GET.
    boolean headOfGet = method.equals("HEAD") && route.method().equals("GET");
    if (!route.method().equals(method) && !headOfGet) {
      String allowed = route.method().equals("GET") ? "GET, HEAD" : route.method();
      return Reply.error(405, path + " accepts only " + allowed).withHeader("Allow", allowed);
    }
    return route.handler().apply(exchange);
  }

  private Reply status() {
    ObjectNode body = (ObjectNode) StatusJson.tree(status.get());
    List<Event> events = recentEvents.get();
    List<Event> newest = events.subList(Math.max(0, events.size() - STATUS_EVENTS), events.size());
    body.set("events", StatusJson.tree(newest));
    return Reply.json(200, body);
  }

  // Like Patroni's /primary: a load balancer sends traffic only where this answers 200, so
  // anything short of a master whose Redis answers is 503.
  private Reply health() {
    NodeStatus now = status.get();
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (now.state() == AgentState.MASTER && now.redisUp() && now.stateProblem().isEmpty()) {
      body.put("role", "master");
      return Reply.json(200, body);
    }
    body.put("state", now.state().name());
    body.put("redis_up", now.redisUp());
    if (!now.stateProblem().isEmpty()) {
      // A master that cannot record an epoch cannot take part in a safe failover: let the load
      // balancer know rather than wait for the next promotion to fail.
      body.put("state_problem", now.stateProblem());
    }
    return Reply.json(503, body);
  }

  private Reply metrics() {
    byte[] text = registry.scrape().getBytes(StandardCharsets.UTF_8);
    return new Reply(200, PROMETHEUS_TEXT, text, Map.of());
  }

  private Reply switchover(HttpExchange exchange) {
    return operate(
        exchange,
        Set.of("to", "cancel"),
        query -> "true".equals(query.get("cancel"))
            ? operations.cancelSwitchover()
            : operations.switchover(Optional.ofNullable(query.get("to"))));
  }

  private Reply pause(HttpExchange exchange) {
    return operate(exchange, Set.of(), query -> operations.pause());
  }

  private Reply resume(HttpExchange exchange) {
    return operate(exchange, Set.of(), query -> operations.resume());
  }

  private Reply operate(
      HttpExchange exchange,
      Set<String> parameters,
      Function<Map<String, String>, OperationResult> operation) {
    String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
    String from = String.valueOf(exchange.getRemoteAddress());
    BearerTokenCheck.Verdict verdict =
        tokenCheck.check(exchange.getRequestHeaders().getFirst("Authorization"));
    switch (verdict) {
      case DISABLED:
        log.warn("{} from {} refused: no token configured", request, from);
        return Reply.error(403, "no token configured: write operations disabled");
      case MISSING:
        log.warn("{} from {} refused: no bearer token", request, from);
        return Reply.error(401, "missing bearer token")
            .withHeader("WWW-Authenticate", "Bearer realm=\"redis-ha\"");
      case WRONG:
        log.warn("{} from {} refused: wrong token", request, from);
        return Reply.error(401, "wrong token")
            .withHeader("WWW-Authenticate", "Bearer realm=\"redis-ha\"");
      case ALLOWED:
        break;
    }
    Map<String, String> query = parseQuery(exchange.getRequestURI().getRawQuery(), parameters);
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

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", reply.contentType());
    // Status and health describe this instant; a cached copy would mislead.
    headers.set("Cache-Control", "no-store");
    reply.headers().forEach(headers::set);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(reply.code(), -1);
      return;
    }
    exchange.sendResponseHeaders(reply.code(), reply.body().length);
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(reply.body());
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "api-http-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private record Route(String method, Function<HttpExchange, Reply> handler) {}

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
