package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.redisha.config.HostPort;
import dev.redisha.config.PersistencePolicy;
import dev.redisha.event.Event;
import dev.redisha.redis.InfoParser;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisControl;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 9: an operator's {@code CONFIG SET appendonly yes} is theirs. The agent reports it,
 * leaves it until the node's role changes, and never kills a rewrite it did not start.
 *
 * <p>The rewrites are slowed with {@code rdb-key-save-delay} (a Redis test knob, microseconds
 * per key) so that they last seconds: long enough for dozens of agent decisions, each of which
 * would have turned the AOF off again before this fix.
 */
class OperatorPersistenceChangeTest {
  @TempDir Path dir;

  @Test
  void appendOnlySetOnTheMasterByAnOperatorStaysUntilTheRoleChanges() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      try (Writer w = p.writer(120_000, 3000, Duration.ofSeconds(30))) {
        configSet(a, "rdb-key-save-delay", "1000");
        configSet(a, "appendonly", "yes");

        awaitRewriteCompletesWithAppendOnlyOn(a, Duration.ofSeconds(60));
        String cause = outsideChange(a, "appendonly").orElseThrow(() -> new AssertionError("no outside-change event")).cause();
        assertTrue(cause.contains("appendonly changed to yes outside the agent") && cause.contains("persistence.appendonly"),
            "the event names the Redis setting and the config field: " + cause);
        // Many more decisions with the AOF on: still the operator's.
        long until = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < until) {
          assertEquals("yes", appendOnly(a), "the agent turned the operator's AOF off");
          java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        configSet(a, "rdb-key-save-delay", "0");
        w.close();
        assertEquals(0, w.missingOn(a.config.redis().address()).size(), "acked writes lost on a");
        assertEquals(0, w.missingOn(loadAofCopy(a)).size(), "acked writes missing from a's AOF");
        assertEquals(1, events(a, "persistence-outside-change").count(), "one event for one change");
      }

      // A handover and back: a deliberate role change each time, after which the policy rules.
      switchover(a, "b");
      Await.until("b master", Duration.ofSeconds(15), () -> b.isMasterAgent() && b.redisIsMaster() && !a.redisIsMaster());
      switchover(b, "a");
      Await.until("a master again", Duration.ofSeconds(15), () -> a.isMasterAgent() && a.redisIsMaster() && !b.redisIsMaster());
      Await.until("a, master with an in-sync persisting replica, turns the AOF off", Duration.ofSeconds(20),
          () -> "no".equals(appendOnly(a)));
      assertTrue(events(a, "persistence-policy").anyMatch(e -> e.cause().contains("applies again to appendonly")),
          "the role change says the policy applies again");
    }
  }

  @Test
  void aRewriteTheAgentDidNotStartIsNotKilledWhenTheNewRoleWantsTheAofOff() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      try (Writer w = p.writer(120_000, 3000, Duration.ofSeconds(30))) {
        // On the replica, the operator's rewrite must outlast the handover and the master's wait
        // for an in-sync persisting replica (about 3 s) before the new master stops persisting.
        configSet(b, "rdb-key-save-delay", "3000");
        configSet(b, "appendonly", "yes");

        switchover(a, "b");
        Await.until("b master", Duration.ofSeconds(15), () -> b.isMasterAgent() && b.redisIsMaster());
        awaitRewriteCompletesWithAppendOnlyOn(b, Duration.ofSeconds(60));
        assertTrue(outsideChange(b, "appendonly").isPresent(), "b reported the operator's change");
        assertTrue(events(b, "persistence-wait").anyMatch(e -> e.cause().contains("an AOF rewrite runs that the agent did not start")),
            "b said why it waited: " + events(b, "persistence-wait").toList());
        configSet(b, "rdb-key-save-delay", "0");
        Await.until("b, master with an in-sync persisting replica, then turns the AOF off", Duration.ofSeconds(20),
            () -> "no".equals(appendOnly(b)));
        w.close();
        assertEquals(0, w.missingOn(b.config.redis().address()).size(), "acked writes lost");
      }
    }
  }

  /**
   * Polls until the rewrite ends, failing if the AOF is off before that; a rewrite killed by
   * {@code appendonly no} leaves {@code aof_last_bgrewrite_status:ok} but never sets {@code
   * aof_last_rewrite_time_sec}, so that field tells a finished rewrite from a killed one.
   */
  private static void awaitRewriteCompletesWithAppendOnlyOn(TestNode n, Duration timeout) {
    Await.until(n.id() + "'s AOF rewrite finishes", timeout, () -> {
      Map<String, String> p = persistenceInfo(n);
      if (!"1".equals(p.get("aof_enabled"))) {
        fail("the AOF of " + n.id() + " was turned off during its rewrite: " + p);
      }
      return "0".equals(p.get("aof_rewrite_in_progress")) && "0".equals(p.get("aof_rewrite_scheduled"));
    });
    Map<String, String> p = persistenceInfo(n);
    assertEquals("ok", p.get("aof_last_bgrewrite_status"), p.toString());
    assertTrue(Long.parseLong(p.get("aof_last_rewrite_time_sec")) >= 0, "the rewrite completed rather than being killed: " + p);
  }

  /** Loads a copy of the node's AOF in a redis-server of its own, as a restart would. */
  private HostPort loadAofCopy(TestNode n) throws IOException {
    Path copy = dir.resolve(n.id() + "-aof-copy");
    Path from = n.config.redis().dataDir().resolve("appendonlydir");
    Files.createDirectories(copy.resolve("appendonlydir"));
    try (Stream<Path> files = Files.list(from)) {
      files.forEach(f -> {
        try {
          Files.copy(f, copy.resolve("appendonlydir").resolve(f.getFileName()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    HostPort at = TestGroup.loopback(TestGroup.freeTcpPort());
    RedisServerProcess p = RedisServerProcess.start(RedisBinary.locate(Optional.empty()),
        new RedisLaunch(at, copy, n.config.redis().password(), Optional.empty(),
            Optional.of(new PersistencePolicy("", true, "everysec")), List.of()));
    n.orphans.add(p);
    try (RedisControl c = new RedisControl(dev.redisha.redis.RedisConnector.of(n.config.redis()), at, 2000)) {
      Await.until("the AOF copy is loaded", Duration.ofSeconds(30), () -> {
        try {
          return !c.info().loading();
        } catch (RuntimeException e) {
          return false;
        }
      });
    }
    return at;
  }

  private static void configSet(TestNode n, String name, String value) {
    try (RedisControl c = n.redis()) {
      c.command("CONFIG", "SET", name, value);
    }
  }

  private static String appendOnly(TestNode n) {
    return persistenceInfo(n).get("aof_enabled").equals("1") ? "yes" : "no";
  }

  private static Map<String, String> persistenceInfo(TestNode n) {
    try (RedisControl c = n.redis()) {
      return InfoParser.parse(new String((byte[]) c.command("INFO", "persistence"))).raw();
    }
  }

  private static Stream<Event> events(TestNode n, String type) {
    return n.agent.recentEvents().stream().filter(e -> e.type().equals(type));
  }

  private static Optional<Event> outsideChange(TestNode n, String setting) {
    return events(n, "persistence-outside-change").filter(e -> setting.equals(e.fields().get("setting"))).findFirst();
  }

  /** Asks {@code master}'s agent to hand over once {@code to} is an in-sync replica it accepts. */
  private static void switchover(TestNode master, String to) {
    Await.until("switchover to " + to + " accepted", Duration.ofSeconds(20),
        () -> master.agent.coordinator().requestSwitchover(Optional.of(to)).isEmpty());
  }
}
