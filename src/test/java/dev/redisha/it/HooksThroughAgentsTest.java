package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HooksConfig;
import dev.redisha.config.NodeConfig;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's notify scripts, fired by the agents on their transitions. */
class HooksThroughAgentsTest {
  @TempDir Path dir;

  @Test
  void notifyHooksRunOnPromotionDemotionAndFault() throws IOException {
    Path log = dir.resolve("hooks.log");
    Path script = Files.writeString(dir.resolve("notify.sh"),
        "#!/bin/sh\necho \"$REDIS_HA_NODE $REDIS_HA_STATE $REDIS_HA_EPOCH $1 $2 $3\" >> " + log + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    try (SteadyPair p = SteadyPair.managed(dir, c -> withHooks(c, script))) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      Await.until("notify_master on a, notify_backup on b", Duration.ofSeconds(10),
          () -> read(log).contains("a MASTER 1 GROUP test MASTER") && read(log).contains("b BACKUP 1 GROUP test BACKUP"));
      a.redisProcess().kill();
      Await.until("notify_fault on a and notify_master on b", Duration.ofSeconds(15),
          () -> read(log).contains("a FAULT") && read(log).contains("b MASTER 2"));
      assertTrue(read(log).indexOf("a FAULT") > read(log).indexOf("a MASTER 1"),
          "notify_fault comes from the crash, not from the start");
      assertTrue(read(log).lines().noneMatch(l -> l.contains("test-redis-password")), "no secret reaches a hook");
      System.out.print(read(log));
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static NodeConfig withHooks(NodeConfig c, Path script) {
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), c.redis(), c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(),
        new HooksConfig(Optional.of(script), Optional.of(script), Optional.of(script), Optional.of(script), 5000),
        c.api(), c.stateDir(), c.endpoints());
  }
}
