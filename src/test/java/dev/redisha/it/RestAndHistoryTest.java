package dev.redisha.it;

import dev.redisha.testsupport.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redisha.cli.Main;
import dev.redisha.config.RedisMode;
import dev.redisha.testsupport.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load balancer's checks, {@code list --watch}, {@code status --json} and {@code history}
 * against two real agents through a crash failover and the failback that follows.
 */
class RestAndHistoryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;

  @Test
  void checksFollowTheRolesAndHistoryShowsTheFailoverAndTheFailback() throws Exception {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> c)) {
      g.nodes().forEach(TestNode::startAgent);
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      Scenarios.awaitSteadyPair(g, a, b);
      String apis = "127.0.0.1:" + a.agent.apiPort() + ",127.0.0.1:" + b.agent.apiPort();

      assertEquals(200, code(a, "GET", "/primary"));
      assertEquals(503, code(b, "GET", "/primary"));
      assertEquals(503, code(b, "OPTIONS", "/primary"), "HAProxy's OPTIONS check");
      assertEquals(200, code(b, "GET", "/replica?lag=1MB"));
      assertEquals(200, code(b, "HEAD", "/read-only"));
      assertEquals(200, code(a, "GET", "/read-only"));
      assertEquals(503, code(a, "GET", "/replica"));
      assertEquals(200, code(a, "GET", "/health"));
      assertEquals(200, code(b, "GET", "/health"));
      assertEquals(200, code(b, "GET", "/readiness"));
      assertEquals(200, code(a, "GET", "/liveness"));
      JsonNode cluster = JSON.readTree(get(b, "/cluster"));
      assertEquals("a", cluster.get("master").asText());
      assertEquals(2, cluster.get("members").size());

      CliRun watch = cli("list", "--api", apis, "--watch", "--interval", "0.2", "--watch-count", "2");
      System.out.print(watch.out());
      assertEquals(0, watch.exit());
      assertEquals(2, watch.out().lines().filter(l -> l.startsWith("NODE ")).count(), "two refreshes, then it stops");
      assertTrue(watch.out().lines().anyMatch(l -> l.startsWith("a ") && l.contains("MASTER")), watch.out());

      CliRun json = cli("status", "--json", "--api", apis);
      assertEquals(0, json.exit());
      JsonNode docs = JSON.readTree(json.out());
      assertEquals(2, docs.size());
      for (JsonNode doc : docs) {
        assertTrue(doc.get("events").isArray() && doc.get("events").size() > 0, "events in " + doc.get("agent"));
        assertTrue(doc.get("agent").asText().startsWith("127.0.0.1:"));
      }

      a.redisProcess().kill();
      Await.until("b master", Duration.ofSeconds(15), () -> b.isMasterAgent() && b.redisIsMaster());
      Await.until("b's /primary 200", Duration.ofSeconds(5), () -> code(b, "GET", "/primary") == 200);
      // a's agent restarts its Redis as a replica, then takes the role back (priority 150 > 100).
      Await.until("a master again by failback", Duration.ofSeconds(40),
          () -> a.isMasterAgent() && a.redisIsMaster() && code(b, "GET", "/replica") == 200);

      CliRun history = cli("history", "--api", apis);
      System.out.print(history.out());
      assertEquals(0, history.exit(), history.err());
      CliRun historyJson = cli("history", "--json", "--api", apis + ",127.0.0.1:" + a.agent.apiPort());
      JsonNode transitions = JSON.readTree(historyJson.out()).get("transitions");
      List<String> seen = new ArrayList<>();
      transitions.forEach(t -> seen.add(t.get("kind").asText() + " " + t.get("from").asText() + "->"
          + t.get("to").asText() + " " + t.get("cause").asText()));
      assertEquals("bootstrap ->a bootstrap", seen.get(0), seen.toString());
      assertEquals("failover a->b master_failed", seen.get(1), "b's probe found a's Redis refusing: " + seen);
      assertEquals("switchover b->a failback", seen.get(2), seen.toString());
      assertEquals(3, seen.size(), "each transition once, although a was asked twice: " + seen);
      long epochs = transitions.get(2).get("epoch").asLong() - transitions.get(0).get("epoch").asLong();
      assertEquals(2, epochs, "one epoch per change of master");

      b.stopAgent();
      CliRun partial = cli("history", "--api", apis);
      assertEquals(3, partial.exit(), "an agent that does not answer: exit 3");
      assertTrue(partial.out().contains("bootstrap"), "what a answered is still shown: " + partial.out());
    }
  }

  private int code(TestNode n, String method, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.agent.apiPort() + path))
          .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String get(TestNode n, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.agent.apiPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static CliRun cli(String... args) {
    return CliRun.run(args);
  }
}
