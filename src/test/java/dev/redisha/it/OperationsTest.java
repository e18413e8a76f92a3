package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.cli.Main;
import dev.redisha.config.NodeConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.testsupport.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What an operator does: look at the group, switch over, pause for maintenance. */
class OperationsTest {
  private static final String TOKEN = "ops-token-5b8d0c1e";
  @TempDir Path dir;

  @Test
  void statusSwitchoverAndMaintenanceModeWorkThroughTheApi() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, OperationsTest::withToken)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();

      String table = cli("status", "--api", "127.0.0.1:" + a.agent.apiPort() + ",127.0.0.1:" + b.agent.apiPort());
      System.out.print(table);
      assertTrue(table.lines().anyMatch(l -> l.startsWith("a ") && l.contains("MASTER")), table);
      assertTrue(table.lines().anyMatch(l -> l.startsWith("b ") && l.contains("REPLICA")), table);
      assertTrue(!table.contains(TOKEN) && !table.contains("test-redis-password"), "no secret in the status output");

      try (Writer w = new Writer(g::masterRedis, a.config.redis().password(), 400_000, 90_000)) {
        Await.until("1000 writes", Duration.ofSeconds(20), () -> w.acked() >= 1000);
        assertEquals(401, ApiCalls.post(a, "/switchover?to=b", "wrong-token"), "a wrong token is refused");
        assertEquals(409, ApiCalls.post(a, "/switchover?to=zzz", TOKEN), "no such node: refused, not accepted");
        assertEquals(409, ApiCalls.post(a, "/switchover?to=a", TOKEN), "the current master: refused");
        assertEquals(409, ApiCalls.post(b, "/switchover?to=a", TOKEN), "sent to a replica's agent: refused");
        assertEquals("", a.agent.status().pendingSwitchover(), "nothing refused is left pending");
        assertEquals(200, ApiCalls.post(a, "/switchover?to=b", TOKEN));
        Await.until("b master after the switchover", Duration.ofSeconds(15),
            () -> b.isMasterAgent() && b.redisIsMaster() && !a.redisIsMaster());
        int after = w.acked();
        Await.until("writes continue on b", Duration.ofSeconds(10), () -> w.acked() >= after + 1000);
        // The operator chose b: a (preferred) must not take the role straight back.
        long until = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < until) {
          assertTrue(b.isMasterAgent(), "the role went back to a right after the operator's switchover");
          LockSupport.parkNanos(20_000_000);
        }
        w.close();
        assertEquals(0, w.missingOn(b.config.redis().address()).size(), "a switchover loses nothing");
      }

      assertEquals(200, ApiCalls.post(a, "/pause", TOKEN));
      assertEquals(200, ApiCalls.post(b, "/pause", TOKEN));
      b.redisProcess().kill();
      long until = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < until) {
        assertTrue(!a.redisIsMaster(), "a took over although the group is in maintenance mode");
        LockSupport.parkNanos(20_000_000);
      }
      assertTrue(a.agent.status().paused());
      ApiCalls.post(a, "/resume", TOKEN);
      ApiCalls.post(b, "/resume", TOKEN);
      Await.until("a master after resume", Duration.ofSeconds(15), () -> a.isMasterAgent() && a.redisIsMaster());
      assertEquals(AgentState.MASTER, a.agent.status().state());
    }
  }

  private static NodeConfig withToken(NodeConfig c) {
    return ApiCalls.withToken(c, TOKEN);
  }

  private static String cli(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      Main.commandLine().execute(args);
    } finally {
      System.setOut(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
