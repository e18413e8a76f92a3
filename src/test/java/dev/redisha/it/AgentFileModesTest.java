package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a running agent leaves on disk is readable by its own user only. */
class AgentFileModesTest {
  @TempDir Path dir;

  @Test
  void theAgentCreatesItsFilesOwnerOnly() throws Exception {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> inFreshDirectories(c, dir))) {
      TestNode a = g.node("a");
      a.startAgent();
      Await.until("a is master", Duration.ofSeconds(20), a::isMasterAgent);
      Path state = a.config.stateDir();
      Await.until("state.json written", Duration.ofSeconds(10), () -> Files.exists(state.resolve("state.json")));

      assertEquals("rwx------", mode(state));
      assertEquals("rw-------", mode(state.resolve("state.json")));
      assertEquals("rw-------", mode(state.resolve("events.jsonl")));
      assertEquals("rwx------", mode(a.config.redis().dataDir()));
      assertEquals("rw-------", mode(a.config.redis().dataDir().resolve("redis.log")));
    }
  }

  /** Directories that do not exist yet, so the agent creates them (the group's fixture does not). */
  private static NodeConfig inFreshDirectories(NodeConfig c, Path dir) {
    Path state = dir.resolve("fresh").resolve(c.nodeId());
    RedisConfig r = c.redis();
    RedisConfig redis = new RedisConfig(r.address(), r.announce(), r.user(), r.password(), r.tls(), r.mode(),
        r.binary(), state.resolve("redis"), r.extraArgs());
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), redis, c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), state, c.endpoints());
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
