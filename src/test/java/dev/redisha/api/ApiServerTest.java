package dev.redisha.api;

import static java.net.http.HttpRequest.BodyPublishers.noBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.coordination.AgentState;
import dev.redisha.event.Event;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiServerTest {
  private static final String TOKEN = "s3cr3t-token-value";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicReference<NodeStatus> status = new AtomicReference<>(StatusSamples.master());
  private final List<Event> events = new ArrayList<>();
  private final RecordingOperations operations = new RecordingOperations();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newHttpClient();
  // Every answer any test received, checked for the token after each test.
  private final List<HttpResponse<String>> answers = new CopyOnWriteArrayList<>();
  private final List<ApiServer> servers = new ArrayList<>();
  private ApiServer server;

  @BeforeEach
  void startServer() throws Exception {
    Instant t0 = Instant.parse("2024-05-01T10:00:00Z");
    for (int i = 1; i <= 25; i++) {
      events.add(new Event(t0.plusSeconds(i), "node-a", "decision", "decision " + i, 7));
    }
    server = start(Optional.of(secret(TOKEN)));
  }

  @AfterEach
  void stopServersAndCheckNoAnswerLeakedTheToken() {
    servers.forEach(ApiServer::close);
    for (HttpResponse<String> answer : answers) {
      assertFalse(answer.body().contains(TOKEN), "token in body of " + answer.uri());
      assertFalse(
          answer.headers().map().toString().contains(TOKEN), "token in headers of " + answer.uri());
    }
  }

  @Test
  void statusIsSnakeCaseJsonWithTheTwentyNewestEvents() throws Exception {
    HttpResponse<String> answer = get("/status");

    assertEquals(200, answer.statusCode());
    assertEquals("application/json", answer.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = JSON.readTree(answer.body());
    assertEquals("node-a", body.get("node_id").asText());
    assertEquals("MASTER", body.get("state").asText());
    assertEquals(7, body.get("epoch").asLong());
    assertEquals("node-a", body.get("epoch_master").asText());
    assertTrue(body.get("redis_up").asBoolean());
    assertEquals(123_456, body.get("repl_offset").asLong());
    assertEquals(0, body.get("lag_bytes").asLong());
    assertFalse(body.get("hold_down").asBoolean());
    assertEquals("no action: I am master of epoch 7", body.get("last_decision").asText());
    assertEquals("node-b", body.get("peers").get(0).get("node_id").asText());
    assertEquals(120, body.get("peers").get(0).get("last_heard_ms_ago").asLong());
    JsonNode shown = body.get("events");
    assertEquals(20, shown.size());
    assertEquals("decision 6", shown.get(0).get("cause").asText());
    assertEquals("decision 25", shown.get(19).get("cause").asText());
    assertEquals("2024-05-01T10:00:25Z", shown.get(19).get("time").asText());
    assertEquals("node-a", shown.get(19).get("node_id").asText());
  }

  @Test
  void primaryIsOkOnlyOnAMasterWhoseRedisAnswersAndHealthOnAnyNodeWhoseRedisAnswers() throws Exception {
    HttpResponse<String> master = get("/primary");
    assertEquals(200, master.statusCode());
    assertEquals("master", JSON.readTree(master.body()).get("role").asText());
    assertEquals(200, get("/read-write").statusCode());
    assertEquals(200, get("/health").statusCode());
    assertEquals(503, get("/replica").statusCode(), "a master is no replica");
    assertEquals(200, get("/read-only").statusCode(), "a master serves reads too");

    status.set(StatusSamples.withState(StatusSamples.master(), AgentState.MASTER, false));
    HttpResponse<String> masterRedisDown = get("/primary");
    assertEquals(503, masterRedisDown.statusCode());
    assertFalse(JSON.readTree(masterRedisDown.body()).get("redis_up").asBoolean());
    assertEquals(503, get("/health").statusCode(), "its Redis does not answer");

    status.set(StatusSamples.replica());
    HttpResponse<String> replica = get("/primary");
    assertEquals(503, replica.statusCode());
    assertEquals("REPLICA", JSON.readTree(replica.body()).get("state").asText());
    assertEquals(200, get("/health").statusCode(), "a replica whose Redis answers is healthy");
    assertEquals(200, get("/replica").statusCode());
    assertEquals(200, get("/read-only").statusCode());
    assertEquals(200, get("/readiness").statusCode(), "56 bytes behind is ready");
    HttpResponse<String> head =
        send(HttpRequest.newBuilder(uri("/primary")).method("HEAD", noBody()));
    assertEquals(503, head.statusCode(), "load balancers probing with HEAD see the same code");

    status.set(StatusSamples.withState(StatusSamples.replica(), AgentState.FAULT, true));
    assertEquals(503, get("/replica").statusCode(), "an agent in FAULT is no replica to send reads to");
  }

  @Test
  void replicaLagLimitTakesBytesOrUnitsAndRefusesNonsense() throws Exception {
    status.set(StatusSamples.replica()); // 56 bytes behind
    assertEquals(200, get("/replica?lag=56").statusCode());
    assertEquals(503, get("/replica?lag=55").statusCode());
    assertEquals(200, get("/replica?lag=1kB").statusCode());
    assertEquals(200, get("/replica?lag=16MB").statusCode());
    assertEquals(503, get("/read-only?lag=10").statusCode());
    assertEquals(503, get("/readiness?lag=0").statusCode());
    HttpResponse<String> bad = get("/replica?lag=fast");
    assertEquals(400, bad.statusCode());
    assertTrue(JSON.readTree(bad.body()).get("error").asText().contains("16kB"), bad.body());
    assertEquals(400, get("/replica?lagg=1").statusCode(), "an unknown parameter is refused, not ignored");
  }

  @Test
  void headAndOptionsOfEveryCheckGiveTheCodeOfTheGetWithoutABody() throws Exception {
    status.set(StatusSamples.replica());
    for (String check : List.of("/primary", "/read-write", "/replica", "/read-only", "/health", "/readiness",
        "/liveness")) {
      int code = get(check).statusCode();
      for (String method : List.of("HEAD", "OPTIONS")) {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri(check)).method(method, noBody()));
        assertEquals(code, answer.statusCode(), method + " " + check);
        assertEquals("", answer.body(), method + " " + check);
      }
    }
    HttpResponse<String> optionsOfStatus = send(HttpRequest.newBuilder(uri("/status")).method("OPTIONS", noBody()));
    assertEquals(204, optionsOfStatus.statusCode());
    assertEquals("GET, HEAD, OPTIONS", optionsOfStatus.headers().firstValue("Allow").orElse(""));
  }

  @Test
  void livenessFailsWhenTheStatusStopsBeingRebuilt() throws Exception {
    server = startWith(new ApiServer.Settings(Optional.of(secret(TOKEN)), Optional.empty(), Optional.empty(),
        ApiServer.DEFAULT_READINESS_LAG_BYTES, Duration.ofMillis(200), ClusterView.Layout.EMPTY,
        ApiServer.Limits.defaults()));
    // A fresh snapshot on every read, as the decision loop makes one on every pass.
    java.util.function.Supplier<NodeStatus> turning = () -> StatusSamples.withState(status.get(), AgentState.MASTER, true);
    ApiServer live = startWithStatus(turning);
    assertEquals(200, getFrom(live, "/liveness").statusCode());
    assertEquals(200, get("/liveness").statusCode(), "first look at this snapshot");
    dev.redisha.testsupport.Await.until("the same snapshot for longer than the timeout", Duration.ofSeconds(5),
        () -> {
          try {
            return get("/liveness").statusCode() == 503;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    assertEquals(200, getFrom(live, "/liveness").statusCode(), "a turning loop stays live");
  }

  @Test
  void clusterListsEveryMemberWithRoleAndLag() throws Exception {
    HttpResponse<String> answer = get("/cluster");
    assertEquals(200, answer.statusCode());
    JsonNode body = JSON.readTree(answer.body());
    assertEquals("node-a", body.get("master").asText());
    assertEquals(2, body.get("members").size());
    assertEquals("master", body.get("members").get(0).get("role").asText());
    assertEquals("replica", body.get("members").get(1).get("role").asText());
    assertEquals(56, body.get("members").get(1).get("lag_bytes").asLong(), "123456 - 123400");
  }

  @Test
  void historyListsTheTransitionsOfTheEventLog() throws Exception {
    events.add(new Event(Instant.parse("2024-05-01T11:00:00Z"), "node-a", "promote",
        "taking over from node-b: its agent reports FAULT (its Redis is down) and my probe agrees: its Redis refused",
        8, Map.of("fence", "unreachable", "commit_epoch_ms", 1, "promote_ms", 2, "total_ms", 9)));
    JsonNode body = JSON.readTree(get("/history").body());
    assertEquals(1, body.get("transitions").size());
    JsonNode t = body.get("transitions").get(0);
    assertEquals("failover", t.get("kind").asText());
    assertEquals("node-b", t.get("from").asText());
    assertEquals("node-a", t.get("to").asText());
    assertEquals("master_failed", t.get("cause").asText());
    assertEquals(8, t.get("epoch").asLong());
    assertEquals(9, t.get("outage_ms").asLong());
  }

  @Test
  void aReadTokenGuardsTheStatusDocumentsButNeverTheChecksAndCannotWrite() throws Exception {
    String readToken = "read-only-token-7f3a";
    server = startWith(new ApiServer.Settings(Optional.of(secret(TOKEN)), Optional.of(secret(readToken)),
        Optional.empty(), ApiServer.DEFAULT_READINESS_LAG_BYTES, ApiServer.DEFAULT_LIVENESS_TIMEOUT,
        ClusterView.Layout.EMPTY, ApiServer.Limits.defaults()));
    for (String doc : List.of("/status", "/cluster", "/history", "/metrics")) {
      assertEquals(401, get(doc).statusCode(), doc + " without a token");
      assertEquals(401, getWith(doc, "Bearer nope").statusCode(), doc + " with a wrong token");
      assertEquals(200, getWith(doc, "Bearer " + readToken).statusCode(), doc + " with the read token");
      assertEquals(200, getWith(doc, "Bearer " + TOKEN).statusCode(), doc + " with the write token");
    }
    assertEquals(200, get("/primary").statusCode(), "load balancers send no token");
    assertEquals(200, get("/health").statusCode());
    HttpResponse<String> write = post("/pause", Optional.of("Bearer " + readToken));
    assertEquals(403, write.statusCode());
    assertTrue(JSON.readTree(write.body()).get("error").asText().contains("read-only"));
    assertEquals(List.of(), operations.calls);
    answers.forEach(a -> assertFalse(a.body().contains(readToken), "read token in a body"));
  }

  @Test
  void theApiSpeaksHttpsWithTheConfiguredCertificate(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.redisha.testsupport.TestCertificates.opensslPresent(),
        "openssl is needed to make the test certificates");
    dev.redisha.config.TlsConfig files = dev.redisha.testsupport.TestCertificates.forLoopback(dir);
    server = startWith(new ApiServer.Settings(Optional.of(secret(TOKEN)), Optional.empty(),
        Optional.of(new dev.redisha.config.ApiTlsConfig(files.certFile().get(), files.keyFile().get(),
            Optional.of(files.caFile()))),
        ApiServer.DEFAULT_READINESS_LAG_BYTES, ApiServer.DEFAULT_LIVENESS_TIMEOUT, ClusterView.Layout.EMPTY,
        ApiServer.Limits.defaults()));
    HttpClient https = HttpClient.newBuilder()
        .sslContext(dev.redisha.config.PemFiles.trusting(files.caFile())).build();
    HttpResponse<String> answer = https.send(HttpRequest.newBuilder(
        URI.create("https://127.0.0.1:" + server.port() + "/status")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, answer.statusCode());
    assertEquals("node-a", JSON.readTree(answer.body()).get("node_id").asText());
    HttpResponse<String> primary = https.send(HttpRequest.newBuilder(
        URI.create("https://127.0.0.1:" + server.port() + "/primary")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, primary.statusCode());
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> get("/status"),
        "plain HTTP gets no answer from an HTTPS API");
  }

  @Test
  void metricsShowRegisteredGauges() throws Exception {
    AtomicLong epoch = registry.gauge("redisha.epoch", new AtomicLong(7));

    HttpResponse<String> answer = get("/metrics");

    assertEquals(200, answer.statusCode());
    assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertTrue(answer.body().contains("redisha_epoch " + epoch.doubleValue()), answer.body());
  }

  @Test
  void writeOperationsNeedTheRightToken() throws Exception {
    HttpResponse<String> noToken = post("/pause", Optional.empty());
    assertEquals(401, noToken.statusCode());
    assertTrue(noToken.headers().firstValue("WWW-Authenticate").isPresent());
    assertEquals(401, post("/pause", Optional.of("Bearer wrong-token-value")).statusCode());
    assertEquals(401, post("/pause", Optional.of("Basic " + TOKEN)).statusCode());
    assertEquals(List.of(), operations.calls);

    HttpResponse<String> paused = post("/pause", Optional.of("Bearer " + TOKEN));
    assertEquals(200, paused.statusCode());
    assertTrue(JSON.readTree(paused.body()).get("accepted").asBoolean());
    assertEquals(200, post("/resume", Optional.of("bearer " + TOKEN)).statusCode());
    assertEquals(200, post("/switchover?to=node-b", Optional.of("Bearer " + TOKEN)).statusCode());
    assertEquals(200, post("/switchover", Optional.of("Bearer " + TOKEN)).statusCode());
    assertEquals(
        List.of("pause", "resume", "switchover Optional[node-b]", "switchover Optional.empty"),
        operations.calls);
  }

  @Test
  void refusedOperationIsAConflictWithTheReason() throws Exception {
    HttpResponse<String> answer = post("/switchover?to=node-z", Optional.of("Bearer " + TOKEN));

    assertEquals(409, answer.statusCode());
    JsonNode body = JSON.readTree(answer.body());
    assertFalse(body.get("accepted").asBoolean());
    assertEquals("node-z is not an in-sync replica", body.get("message").asText());
  }

  @Test
  void unknownOrEmptyParametersAreRefusedBeforeTheHandlerRuns() throws Exception {
    assertEquals(400, post("/switchover?node=node-b", Optional.of("Bearer " + TOKEN)).statusCode());
    assertEquals(400, post("/switchover?to=", Optional.of("Bearer " + TOKEN)).statusCode());
    assertEquals(400, post("/pause?force=1", Optional.of("Bearer " + TOKEN)).statusCode());
    assertEquals(List.of(), operations.calls);
  }

  @Test
  void writeOperationsAreDisabledWithoutAConfiguredToken() throws Exception {
    server = start(Optional.empty());

    HttpResponse<String> answer = post("/pause", Optional.of("Bearer " + TOKEN));

    assertEquals(403, answer.statusCode());
    assertEquals(
        "no token configured: write operations disabled",
        JSON.readTree(answer.body()).get("error").asText());
    assertEquals(List.of(), operations.calls);
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405WithJsonErrors() throws Exception {
    HttpResponse<String> missing = get("/nope");
    assertEquals(404, missing.statusCode());
    assertTrue(JSON.readTree(missing.body()).has("error"));

    HttpResponse<String> postStatus = post("/status", Optional.of("Bearer " + TOKEN));
    assertEquals(405, postStatus.statusCode());
    assertEquals("GET, HEAD, OPTIONS", postStatus.headers().firstValue("Allow").orElse(""));
    assertTrue(JSON.readTree(postStatus.body()).has("error"));

    assertEquals(405, get("/pause").statusCode());
    assertEquals(List.of(), operations.calls);
  }

  @Test
  void aFailingHandlerIsA500AndTheServerKeepsServing() throws Exception {
    operations.failing = true;

    HttpResponse<String> answer = post("/pause", Optional.of("Bearer " + TOKEN));

    assertEquals(500, answer.statusCode());
    assertEquals("internal error", JSON.readTree(answer.body()).get("error").asText());
    assertEquals(200, get("/status").statusCode());
  }

  private ApiServer start(Optional<Secret> token) throws Exception {
    ApiServer started =
        ApiServer.start(
            new HostPort("127.0.0.1", 0), status::get, () -> events, token, registry, operations);
    servers.add(started);
    return started;
  }

  private ApiServer startWith(ApiServer.Settings settings) throws Exception {
    ApiServer started = ApiServer.start(new HostPort("127.0.0.1", 0), new ApiServer.Sources(status::get, () -> events,
        () -> TransitionHistory.of(events), registry::scrape, operations), settings);
    servers.add(started);
    return started;
  }

  /** A second server, with its own status supplier and a 200 ms liveness timeout. */
  private ApiServer startWithStatus(java.util.function.Supplier<NodeStatus> statusSource) throws Exception {
    ApiServer started = ApiServer.start(new HostPort("127.0.0.1", 0), new ApiServer.Sources(statusSource,
        () -> events, () -> TransitionHistory.of(events), registry::scrape, operations),
        new ApiServer.Settings(Optional.empty(), Optional.empty(), Optional.empty(), 0, Duration.ofMillis(200),
            ClusterView.Layout.EMPTY, ApiServer.Limits.defaults()));
    servers.add(started);
    return started;
  }

  private HttpResponse<String> getFrom(ApiServer other, String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port() + path)).GET());
  }

  private HttpResponse<String> getWith(String path, String authorization) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", authorization).GET());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  private HttpResponse<String> post(String path, Optional<String> authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).POST(noBody());
    authorization.ifPresent(value -> request.header("Authorization", value));
    return send(request);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    HttpRequest built = request.timeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> answer = http.send(built, HttpResponse.BodyHandlers.ofString());
    answers.add(answer);
    return answer;
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static Secret secret(String value) {
    return new Secret((value + "\n").getBytes(StandardCharsets.UTF_8), "test");
  }

  /** Records the calls; refuses a switchover to node-z; throws when told to. */
  private static final class RecordingOperations implements OperationHandler {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean failing;

    @Override
    public OperationResult switchover(Optional<String> toNode) {
      failIfTold();
      if (toNode.equals(Optional.of("node-z"))) {
        return OperationResult.refused("node-z is not an in-sync replica");
      }
      calls.add("switchover " + toNode);
      return OperationResult.accepted("handing over");
    }

    @Override
    public OperationResult pause() {
      failIfTold();
      calls.add("pause");
      return OperationResult.accepted("paused");
    }

    @Override
    public OperationResult resume() {
      failIfTold();
      calls.add("resume");
      return OperationResult.accepted("resumed");
    }

    private void failIfTold() {
      if (failing) {
        throw new IllegalStateException("controller exploded");
      }
    }
  }
}
