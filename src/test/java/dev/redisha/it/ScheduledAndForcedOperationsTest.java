package dev.redisha.it;

import dev.redisha.testsupport.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.redisha.api.NodeStatus;
import dev.redisha.api.StatusClient;
import dev.redisha.cli.Main;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.testsupport.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code switchover --at} and {@code failover --to} through the real CLI against two real agents
 * and their redis-servers: a schedule seen by both agents, run at its time or cancelled; a forced
 * failover after a's Redis and agent are gone, refused while a serves and while b lags.
 */
class ScheduledAndForcedOperationsTest {
  private static final String TOKEN = "ops-token-7c41d2aa";
  @TempDir Path dir;

  @Test
  void aScheduledSwitchoverIsSeenByEveryAgentBeforeAndRunsAtItsTime() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, ScheduledAndForcedOperationsTest::withToken)) {
      TestNode a = p.a();
      TestNode b = p.b();
      Path yaml = cliConfig(p);

      CliRun bad = cli("switchover", "-c", yaml.toString(), "--to", "b", "--at", "2020-01-01T00:00:00Z");
      assertEquals(2, bad.exit(), bad.err());
      assertTrue(bad.err().contains("is in the past"), bad.err());
      CliRun far = cli("switchover", "-c", yaml.toString(), "--to", "b", "--at", "+8d");
      assertEquals(2, far.exit(), far.err());
      assertTrue(far.err().contains("more than 7 days ahead"), far.err());

      try (Writer w = p.writer(120_000, 500, Duration.ofSeconds(20))) {
        CliRun scheduled = cli("switchover", "-c", yaml.toString(), "--to", "b", "--at", "+6s");
        System.out.print(scheduled.out());
        assertEquals(0, scheduled.exit(), scheduled.err());
        assertTrue(scheduled.out().contains("scheduled switchover to b at "), scheduled.out());
        Await.until("the schedule on both agents", Duration.ofSeconds(5),
            () -> !b.agent.status().scheduledSwitchover().isEmpty()
                && a.agent.status().scheduledSwitchover().equals(b.agent.status().scheduledSwitchover()));
        String schedule = a.agent.status().scheduledSwitchover();
        Instant due = Instant.parse(schedule.substring(schedule.lastIndexOf(' ') + 1));
        // What b's /status answers (JSON through the status client), not only its agent object.
        NodeStatus overHttp = new StatusClient().fetch(TestGroup.loopback(b.agent.apiPort())).status().orElseThrow();
        assertEquals(schedule, overHttp.scheduledSwitchover());
        JsonNode cluster = new StatusClient().fetchJson(TestGroup.loopback(b.agent.apiPort()), "/cluster").join()
            .body().orElseThrow();
        assertEquals(schedule, cluster.path("scheduled_switchover").asText(), cluster.toString());
        CliRun table = cli("status", "-c", yaml.toString());
        System.out.print(table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("scheduled switchover to b at ")), table.out());

        Await.until("b master after the scheduled time", Duration.ofSeconds(30), () -> {
          boolean moved = b.isMasterAgent() && b.redisIsMaster();
          assertFalse(moved && Instant.now().isBefore(due), "the switchover ran before its time " + due);
          return moved && !a.redisIsMaster();
        });
        int after = w.acked();
        Await.until("writes continue on b", Duration.ofSeconds(10), () -> w.acked() >= after + 200);
        w.close();
        assertEquals(List.of(), w.missingOn(b.config.redis().address()), "a scheduled switchover loses nothing");
      }
      Await.until("cleared on both agents", Duration.ofSeconds(5),
          () -> a.agent.status().scheduledSwitchover().isEmpty() && b.agent.status().scheduledSwitchover().isEmpty());
      assertTrue(a.agent.status().scheduleOutcome().contains("started at"), a.agent.status().scheduleOutcome());
      CliRun history = cli("history", "-c", yaml.toString());
      System.out.print(history.out());
      assertTrue(history.out().lines().anyMatch(l -> l.contains(" schedule ") && l.contains("scheduled switchover to b")),
          history.out());
      assertTrue(history.out().lines().anyMatch(l -> l.contains(" switchover ") && l.contains(" b ")), history.out());
    }
  }

  @Test
  void aScheduledSwitchoverCancelledOnOneAgentIsGoneFromAll() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, ScheduledAndForcedOperationsTest::withToken)) {
      TestNode a = p.a();
      TestNode b = p.b();
      Path yaml = cliConfig(p);
      CliRun noTarget = cli("switchover", "-c", yaml.toString(), "--at", "+1h");
      assertEquals(2, noTarget.exit(), noTarget.err());
      assertTrue(noTarget.err().contains("--at needs --to NODE"), noTarget.err());
      CliRun badTime = cli("switchover", "-c", yaml.toString(), "--to", "b", "--at", "half past ten");
      assertEquals(2, badTime.exit(), badTime.err());
      assertTrue(badTime.err().contains("neither an ISO-8601 time"), badTime.err());
      assertEquals(0, cli("switchover", "-c", yaml.toString(), "--to", "b", "--at", "+1h").exit());
      Await.until("the schedule on b", Duration.ofSeconds(5), () -> !b.agent.status().scheduledSwitchover().isEmpty());

      CliRun cancel = cli("switchover", "-c", yaml.toString(), "--cancel");
      System.out.print(cancel.out());
      assertEquals(0, cancel.exit(), cancel.err());
      assertTrue(cancel.out().contains("cancelled for the whole group"), cancel.out());
      Await.until("gone from both agents", Duration.ofSeconds(5),
          () -> a.agent.status().scheduledSwitchover().isEmpty() && b.agent.status().scheduledSwitchover().isEmpty());
      assertEquals(1, cli("switchover", "-c", yaml.toString(), "--cancel").exit(), "nothing left to cancel");
      assertTrue(a.isMasterAgent());
      assertTrue(cli("history", "-c", yaml.toString()).out().lines().anyMatch(l -> l.contains(" cancel ")));
    }
  }

  @Test
  void aForcedFailoverIsRefusedWhileTheMasterServesAndTakesOverOnceItIsGone() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, ScheduledAndForcedOperationsTest::withToken)) {
      TestNode a = p.a();
      TestNode b = p.b();
      Path yaml = cliConfig(p);

      CliRun healthy = cli("failover", "-c", yaml.toString(), "--to", "b", "--force");
      System.out.print(healthy.out() + healthy.err());
      assertEquals(1, healthy.exit(), healthy.out() + healthy.err());
      assertTrue(healthy.out().contains("master a is healthy and serving") && healthy.out().contains("switchover --to b"),
          healthy.out());
      assertEquals(409, ApiCalls.post(b, "/failover?to=b", TOKEN), "the REST call is refused the same way");
      assertTrue(a.isMasterAgent());

      // Paused, so that nothing fails over by itself: the operator's failover does it.
      assertEquals(0, cli("pause", "-c", yaml.toString()).exit());
      Await.until("paused on both", Duration.ofSeconds(5), () -> a.agent.status().paused() && b.agent.status().paused());
      CliRun paused = cli("status", "-c", yaml.toString());
      System.out.print(paused.out());
      assertTrue(paused.out().startsWith("MAINTENANCE: paused by "), paused.out());
      JsonNode cluster = new StatusClient().fetchJson(TestGroup.loopback(b.agent.apiPort()), "/cluster").join()
          .body().orElseThrow();
      assertTrue(cluster.path("paused").asBoolean(), cluster.toString());
      // a takes it first; b too if a's advert had not reached it before the CLI's request did.
      assertTrue(List.of("a", "b").contains(cluster.path("paused_by").asText()), cluster.toString());
      CliRun pauseHistory = cli("history", "-c", yaml.toString());
      System.out.print(pauseHistory.out());
      assertTrue(pauseHistory.out().lines().anyMatch(l -> l.contains(" pause ") && l.contains("paused by the operator")),
          pauseHistory.out());

      Writer w = p.writer(60_000, 2000, Duration.ofSeconds(20));
      a.haltAgent();
      a.redisProcess().kill();
      Await.until("a's writes stop", Duration.ofSeconds(10), () -> w.errorCount() > 0);
      w.close();

      awaitSeesMasterFailed(b);
      CliRun noTerminal = cli("failover", "-c", yaml.toString(), "--to", "b");
      assertEquals(2, noTerminal.exit(), noTerminal.err());
      assertTrue(noTerminal.err().contains("no terminal") && noTerminal.err().contains("--force"), noTerminal.err());

      CliRun forced = cli("failover", "-c", yaml.toString(), "--to", "b", "--force");
      System.out.print(forced.out() + forced.err());
      assertEquals(0, forced.exit(), forced.out() + forced.err());
      assertTrue(forced.out().contains("failover done: b is master of epoch"), forced.out());
      assertTrue(b.redisIsMaster());

      // Lost at most the async tail: the newest writes a acknowledged before b received them.
      List<Writer.Ack> missing = w.missingOn(b.config.redis().address());
      List<Writer.Ack> acks = w.acks();
      System.out.println("forced failover: " + acks.size() + " writes acked, " + missing.size() + " missing on b");
      if (!missing.isEmpty()) {
        int firstMissing = missing.get(0).n();
        assertTrue(acks.stream().filter(x -> x.n() >= firstMissing).count() == missing.size(),
            "the missing writes are the newest ones, not a gap: " + missing.size() + " missing from n=" + firstMissing);
      }
      assertTrue(missing.size() < acks.size() / 2, "most of a's data is on b");
      CliRun history = cli("history", "--api", "127.0.0.1:" + b.agent.apiPort());
      System.out.print(history.out());
      assertTrue(history.out().lines().anyMatch(l -> l.contains(" failover ") && l.contains(" operator ")), history.out());
    }
  }

  @Test
  void aForcedFailoverToALaggingTargetIsRefusedSayingHowFarBehindUnlessDataLossIsAllowed() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, ScheduledAndForcedOperationsTest::withToken)) {
      TestNode a = p.a();
      TestNode b = p.b();
      Path yaml = cliConfig(p);
      assertEquals(0, cli("pause", "-c", yaml.toString()).exit());
      Await.until("paused on both", Duration.ofSeconds(5), () -> a.agent.status().paused() && b.agent.status().paused());

      // b lags: its redis-server is stopped (SIGSTOP) while a takes 32 MB of writes, more than
      // the loopback socket buffers hold, and a dies before b runs again: what a had not handed
      // to the kernel is lost to b. b's agent keeps hearing a's adverts with a's growing offset.
      long bOffset = b.agent.status().replOffset();
      b.redisProcess().signal("STOP");
      HostPort aRedis = a.config.redis().address();
      String value = "x".repeat(1 << 20);
      try (Jedis j = new Jedis(aRedis.host(), aRedis.port(), 5000)) {
        j.auth(a.config.redis().password().orElseThrow().text());
        for (int i = 0; i < 32; i++) {
          j.set("big:" + i, value);
        }
      }
      Await.until("a's advert shows an offset 32 MB past b's", Duration.ofSeconds(20),
          () -> b.agent.status().peers().stream().filter(m -> m.nodeId().equals("a"))
              .anyMatch(m -> m.replOffset() - bOffset > 32L << 20));
      a.haltAgent();
      a.redisProcess().kill();
      b.redisProcess().signal("CONT");
      awaitSeesMasterFailed(b);
      long[] last = {-1};
      Await.until("b's offset settled", Duration.ofSeconds(10), () -> {
        long now = b.agent.status().replOffset();
        boolean same = b.agent.status().redisUp() && now == last[0];
        last[0] = now;
        if (!same) {
          java.util.concurrent.locks.LockSupport.parkNanos(300_000_000L); // two samples apart, not a sync
        }
        return same;
      });

      CliRun refused = cli("failover", "-c", yaml.toString(), "--to", "b", "--force");
      System.out.print(refused.out() + refused.err());
      assertEquals(1, refused.exit(), refused.out() + refused.err());
      assertTrue(refused.out().matches("(?s).*b is \\d+ bytes behind the last known master a \\(a's offset \\d+ .*"),
          refused.out());
      assertTrue(refused.out().contains("--allow-data-loss"), refused.out());
      assertFalse(b.redisIsMaster());

      CliRun allowed = cli("failover", "-c", yaml.toString(), "--to", "b", "--force", "--allow-data-loss");
      System.out.print(allowed.out() + allowed.err());
      assertEquals(0, allowed.exit(), allowed.out() + allowed.err());
      assertTrue(b.redisIsMaster());
    }
  }

  /** b's own evidence says a failed (paused: it does not act on it); a forced failover is then accepted. */
  private static void awaitSeesMasterFailed(TestNode b) {
    Await.until("b sees that a failed", Duration.ofSeconds(10),
        () -> b.agent.status().lastDecision().contains("not taking over although a failed"));
  }

  private static NodeConfig withToken(NodeConfig c) {
    return ApiCalls.withToken(c, TOKEN);
  }

  /** The operator's config on node a: both agents' API addresses and the write token in a file. */
  private Path cliConfig(SteadyPair p) throws Exception {
    TestNode a = p.a();
    TestNode b = p.b();
    Path token = Files.writeString(dir.resolve("token.txt"), TOKEN);
    Path key = Files.writeString(dir.resolve("key.txt"), "0123456789abcdef0123456789abcdef");
    for (Path f : List.of(token, key)) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
    String yaml = String.join("\n",
        "group: test",
        "node_id: a",
        "state_dir: " + dir.resolve("cli-state"),
        "redis:",
        "  host: 127.0.0.1",
        "  port: " + a.config.redis().address().port(),
        "  mode: external",
        "peers:",
        "  - node_id: b",
        "    advert_address: " + b.config.coordination().listen(),
        "    redis: " + b.config.redis().address(),
        "    api: 127.0.0.1:" + b.agent.apiPort(),
        "coordination:",
        "  key_file: " + key,
        "  listen: " + a.config.coordination().listen(),
        "api:",
        "  listen: 127.0.0.1:" + a.agent.apiPort(),
        "  token_file: " + token,
        "");
    return Files.writeString(dir.resolve("operator.yaml"), yaml);
  }

  private static CliRun cli(String... args) {
    return CliRun.run(args);
  }
}
