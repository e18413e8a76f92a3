package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.NodeConfig;
import dev.redisha.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Maintenance mode is a group state: set on one agent, carried to all, kept across restarts. */
class MaintenanceModeTest {
  private static final String TOKEN = "maint-token-19f3";
  @TempDir Path dir;

  @Test
  void aPauseSentToOneAgentPausesTheGroupSurvivesAnAgentRestartAndAResumeAnywhereEndsIt() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, MaintenanceModeTest::withToken)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();

      assertEquals(200, ApiCalls.post(a, "/pause", TOKEN));
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

      assertEquals(200, ApiCalls.post(b, "/resume", TOKEN));
      Await.until("b takes over once resumed", Duration.ofSeconds(15), () -> b.isMasterAgent() && b.redisIsMaster());
      Await.until("a hears the resume", Duration.ofSeconds(5), () -> !a.agent.status().paused());
    }
  }

  private static NodeConfig withToken(NodeConfig c) {
    return ApiCalls.withToken(c, TOKEN);
  }
}
