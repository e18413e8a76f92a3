package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisConfig;
import dev.redisha.event.Event;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisControl;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crashed master's host restarts its Redis while the other host takes over. The restart must
 * not hold the old master's decision loop: until that loop hears the new master's epoch it keeps
 * the VIP and tells its proxy and Sentinel clients the old master.
 */
class SlowRedisRestartTest {
  /** Longer than the 2 s the agent once waited for a start, so a held loop shows. */
  private static final int START_DELAY_S = 5;

  @TempDir Path dir;

  @Test
  void theOldMastersAgentFollowsTheNewMasterWhileItsRestartedRedisIsStillStarting() throws Exception {
    Path marker = dir.resolve("slow-start");
    Path began = dir.resolve("slow-start-began");
    Path wrapper = slowStartWrapper(marker, began);
    try (SteadyPair p = SteadyPair.managed(dir, c -> c.nodeId().equals("a") ? withBinary(c, wrapper) : c)) {
      TestNode a = p.a();
      TestNode b = p.b();
      try (RedisControl c = a.redis()) {
        c.command("SET", "before-the-crash", "kept");
      }
      Await.until("b has the key", Duration.ofSeconds(10), () -> b.info().map(i -> i.keys() >= 1).orElse(false));
      // From now on a's restarts take START_DELAY_S before redis-server even runs.
      Files.writeString(marker, "");
      long crashedPid = a.redisProcess().pid();
      long bPid = b.redisProcess().pid();
      // b's Redis is held still (and seen down by its agent) until a's agent has begun the
      // restart, so that b's takeover comes while the restart is under way, as it does on hosts
      // where the old master's agent notices its own crash first.
      signal("STOP", bPid);
      try {
        Await.until("b's agent to see its Redis down", Duration.ofSeconds(10), () -> !b.agent.status().redisUp());
        a.redisProcess().kill();
        Await.until("a's agent to begin restarting its Redis", Duration.ofSeconds(10), () -> Files.exists(began));
      } finally {
        signal("CONT", bPid);
      }
      Await.until("b to take over", Duration.ofSeconds(10), () -> b.isMasterAgent() && b.redisIsMaster());
      long epoch = b.agent.status().epoch();
      // a's agent hears b's adverts every few ms; only a held loop would take a second.
      Await.until("a's agent to know b as master of epoch " + epoch, Duration.ofSeconds(1),
          () -> a.agent.status().epochMaster().equals("b") && a.agent.status().epoch() == epoch);
      assertTrue(a.info().isEmpty(), "a's restarted Redis was still starting: the test showed what it meant to");
      assertTrue(a.agent.recentEvents().stream().noneMatch(e -> isStartOf(e, crashedPid, false)),
          "no restart was reported before the server answered");

      Await.until("a's Redis back as b's in-sync replica", Duration.ofSeconds(30),
          () -> a.info().map(i -> !i.isMaster() && i.keys() >= 1).orElse(false));
      Await.until("the late start to be reported", Duration.ofSeconds(10),
          () -> a.agent.recentEvents().stream().anyMatch(e -> isStartOf(e, crashedPid, false)));
      List<Event> events = a.agent.recentEvents();
      Event started = events.stream().filter(e -> isStartOf(e, crashedPid, false)).findFirst().orElseThrow();
      assertEquals(a.redisProcess().pid(), ((Number) started.fields().get("pid")).longValue(), started.toString());
      assertTrue(events.stream().anyMatch(e -> e.type().equals("redis-start-slow")),
          "a start unanswered for 2 s was reported as slow: " + events);
      try (RedisControl c = a.redis()) {
        assertEquals("kept", new String((byte[]) c.command("GET", "before-the-crash"), StandardCharsets.UTF_8));
      }
    }
  }

  private static boolean isStartOf(Event e, long pid, boolean same) {
    return e.type().equals("redis-start") && (((Number) e.fields().get("pid")).longValue() == pid) == same;
  }

  /**
   * redis-server behind a bash script that, while {@code marker} exists, waits before it execs
   * it. The wait is bash's own {@code read -t} on a FIFO, so no child process is left behind when
   * the agent stops the script by its pid.
   */
  private Path slowStartWrapper(Path marker, Path began) throws IOException, InterruptedException {
    Path fifo = dir.resolve("never-written");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor(), "mkfifo");
    Path script = dir.resolve("slow-redis-server");
    Files.writeString(script, "#!/bin/bash\n"
        + "if [ -e '" + marker + "' ]; then : > '" + began + "'; read -r -t " + START_DELAY_S + " _ <> '" + fifo + "'; fi\n"
        + "exec '" + RedisBinary.locate(Optional.empty()) + "' \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + name + " " + pid);
  }

  private static NodeConfig withBinary(NodeConfig c, Path binary) {
    RedisConfig r = c.redis();
    RedisConfig slow = new RedisConfig(r.address(), r.announce(), r.user(), r.password(), r.tls(), r.mode(),
        Optional.of(binary), r.dataDir(), r.extraArgs());
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), slow, c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), c.stateDir(), c.endpoints());
  }
}
