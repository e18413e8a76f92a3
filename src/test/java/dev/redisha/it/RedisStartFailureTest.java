package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.event.Event;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A managed redis-server that refuses its options (a config edited after check-config, or a
 * redis-server upgrade that dropped an option): the reason is Redis' own FATAL line, in the event
 * log and in status, once however often the start is retried.
 */
class RedisStartFailureTest {
  private static final String REASON = "FATAL CONFIG FILE ERROR: 'maxmemory-policy sometimes' (from"
      + " redis.extra_args): argument(s) must be one of the following: volatile-lru";

  @TempDir Path dir;

  @Test
  void aRefusedOptionIsNamedByRedisFatalLineInEventsAndStatusOnce() {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, RedisStartFailureTest::withRefusedOption)) {
      TestNode a = g.node("a");
      Path log = a.config.redis().dataDir().resolve("redis.log");
      a.startAgent();

      Await.until("three failed starts", Duration.ofSeconds(20), () -> count(log, "FATAL CONFIG FILE ERROR") >= 3);
      List<Event> failed = a.agent.recentEvents().stream().filter(e -> e.type().equals("redis-start-failed")).toList();
      assertEquals(1, failed.size(), "one report per distinct failure: " + failed);
      assertTrue(failed.get(0).cause().startsWith("redis-server exited at once (code 1): " + REASON), failed.get(0).cause());
      Await.until("status says why Redis is down", Duration.ofSeconds(10),
          () -> a.agent.status().lastDecision().contains("my Redis is down: redis-server exited at once (code 1): " + REASON));
    }
  }

  private static NodeConfig withRefusedOption(NodeConfig c) {
    RedisConfig r = c.redis();
    RedisConfig bad = new RedisConfig(r.address(), r.announce(), r.user(), r.password(), r.tls(), r.mode(),
        r.binary(), r.dataDir(), List.of("--maxmemory-policy sometimes"));
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), bad, c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), c.stateDir(), c.endpoints());
  }

  private static long count(Path file, String text) {
    try {
      return Files.exists(file)
          ? Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains(text)).count()
          : 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
