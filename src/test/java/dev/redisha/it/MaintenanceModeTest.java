package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.ApiConfig;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.Secret;
import dev.redisha.testsupport.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Maintenance mode is a group state: set on one agent, carried to all, kept across restarts. */
class MaintenanceModeTest {
  private static final String TOKEN = "maint-token-19f3";
  @TempDir Path dir;

  @Test
  void aPauseSentToOneAgentPausesTheGroupSurvivesAnAgentRestartAndAResumeAnywhereEndsIt() throws Exception {
    try (TestGroup g = TestGroup.pair(dir, dev.redisha.config.RedisMode.MANAGED, MaintenanceModeTest::withToken)) {
      g.nodes().forEach(TestNode::startAgent);
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      Scenarios.awaitSteadyPair(g, a, b);

      assertEquals(200, post(a, "/pause"));
      Await.until("b paused by a's request", Duration.ofSeconds(5),
          () -> b.agent.status().paused() && b.agent.status().pausedBy().equals("a"));
      assertTrue(b.agent.status().pausedAtMillis() > 0);

      // An agent restarted during maintenance comes back paused, before it hears anyone.
      b.stopAgent();
      b.startAgent();
      assertTrue(b.agent.status().paused(), "b came back unpaused from its own state file");

      Scenarios.awaitSteadyPair(g, a, b);
      a.redisProcess().kill();
      Await.until("b declines the takeover because of maintenance", Duration.ofSeconds(10),
          () -> b.agent.status().lastDecision().contains("maintenance mode: not taking over"));
      assertFalse(b.redisIsMaster(), "b took over although the group is paused");

      assertEquals(200, post(b, "/resume"));
      Await.until("b takes over once resumed", Duration.ofSeconds(15), () -> b.isMasterAgent() && b.redisIsMaster());
      Await.until("a hears the resume", Duration.ofSeconds(5), () -> !a.agent.status().paused());
    }
  }

  private static NodeConfig withToken(NodeConfig c) {
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), c.redis(), c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(), c.hooks(),
        new ApiConfig(c.api().listen(), Optional.of(new Secret(TOKEN.getBytes(StandardCharsets.UTF_8), "test"))),
        c.stateDir(), c.endpoints());
  }

  private static int post(TestNode n, String path) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.agent.apiPort() + path))
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(5)).build();
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
