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
  void healthIsOkOnlyOnAMasterWhoseRedisAnswers() throws Exception {
    HttpResponse<String> master = get("/health");
    assertEquals(200, master.statusCode());
    assertEquals(Map.of("role", "master"), JSON.readValue(master.body(), Map.class));

    status.set(StatusSamples.withState(StatusSamples.master(), AgentState.MASTER, false));
    HttpResponse<String> masterRedisDown = get("/health");
    assertEquals(503, masterRedisDown.statusCode());
    assertFalse(JSON.readTree(masterRedisDown.body()).get("redis_up").asBoolean());

    status.set(StatusSamples.replica());
    HttpResponse<String> replica = get("/health");
    assertEquals(503, replica.statusCode());
    assertEquals("REPLICA", JSON.readTree(replica.body()).get("state").asText());
    HttpResponse<String> head =
        send(HttpRequest.newBuilder(uri("/health")).method("HEAD", noBody()));
    assertEquals(503, head.statusCode(), "load balancers probing with HEAD see the same code");
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
    assertEquals("GET, HEAD", postStatus.headers().firstValue("Allow").orElse(""));
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
