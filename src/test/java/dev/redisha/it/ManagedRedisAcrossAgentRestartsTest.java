package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.event.Event;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisControl;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 9 item 7: a managed redis-server outlives its agent; the next agent must know it. */
class ManagedRedisAcrossAgentRestartsTest {
  @TempDir Path dir;

  @Test
  void restartedAgentAdoptsTheServerItsCrashedPredecessorLeftAndStopsItOnClose() {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c)) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      try (RedisControl c = a.redis()) {
        c.command("SET", "written-before-the-crash", "kept");
      }
      Await.until("b has the key", Duration.ofSeconds(10), () -> b.info().map(i -> i.keys() >= 1).orElse(false));
      long pid = a.redisProcess().pid();

      a.haltAgent();
      a.startAgent();

      RedisServerProcess adopted = a.agent.managedRedis().orElseThrow().process().orElseThrow();
      assertEquals(pid, adopted.pid(), "the new agent runs the server it found, not one it failed to start");
      assertTrue(adopted.isAlive());
      List<Event> events = a.agent.recentEvents();
      assertTrue(events.stream().anyMatch(e -> e.type().equals("redis-adopt")
              && e.cause().equals("adopted redis-server pid " + pid + " left running by a previous agent")),
          "an adoption event naming the pid: " + events);
      Await.until("a master again on the same server", Duration.ofSeconds(30),
          () -> a.isMasterAgent() && a.redisIsMaster());
      try (RedisControl c = a.redis()) {
        assertEquals("kept", text(c.command("GET", "written-before-the-crash")));
      }
      assertEquals(pid, a.redisProcess().pid(), "still the adopted server");
      events = a.agent.recentEvents();
      assertFalse(events.stream().anyMatch(e -> e.type().startsWith("redis-start")),
          "nothing was (or failed to be) started: " + events);

      a.stopAgent();
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "stopping the agent stops the server it adopted");
    }
  }

  @Test
  void aForeignRedisOnThePortIsReportedAndNeitherDrivenNorStopped() {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> c)) {
      TestNode a = g.node("a");
      // Same port and password (so it answers the agent's probes), its own data dir: an operator's
      // or another service's Redis, not this node's.
      RedisLaunch launch = new RedisLaunch(a.config.redis().address(), dir.resolve("someone-else"),
          a.config.redis().password(), Optional.empty(), Optional.empty(), List.of("--repl-diskless-sync-delay", "5"));
      RedisServerProcess foreign = RedisServerProcess.start(RedisBinary.locate(Optional.empty()), launch);
      try {
        try (RedisControl c = a.redis()) {
          Await.until("the foreign Redis answers", Duration.ofSeconds(10), () -> a.info().isPresent());
          c.command("SET", "not-yours", "1");
        }
        a.startAgent();

        Await.until("the agent reports the port taken", Duration.ofSeconds(10), () -> a.agent.recentEvents().stream()
            .anyMatch(e -> e.type().equals("redis-port-taken") && e.cause().contains("pid " + foreign.pid())
                && e.cause().contains("not this node's redis-server")));
        Await.until("the agent decides on its Redis being someone else's", Duration.ofSeconds(10),
            () -> a.agent.status().lastDecision().contains("neither started nor adopted"));
        assertFalse(a.agent.status().redisUp(), "the foreign Redis is not shown as this node's");
        List<Event> events = a.agent.recentEvents();
        assertFalse(events.stream().anyMatch(e -> e.type().equals("redis-start")), "nothing started: " + events);
        assertEquals(1, events.stream().filter(e -> e.type().equals("redis-port-taken")).count(),
            "reported once, not on every retry: " + events);
        try (RedisControl c = a.redis()) {
          var info = c.info();
          assertTrue(info.isMaster(), "the agent did not make it a replica");
          assertEquals("5", configGet(c, "repl-diskless-sync-delay"), "the agent did not tune it");
          assertEquals("1", text(c.command("GET", "not-yours")));
        }

        a.stopAgent();
        assertTrue(foreign.isAlive(), "stopping the agent leaves a process it did not start alone");
      } finally {
        foreign.kill();
      }
    }
  }

  @Test
  void aNonRedisListenerOnThePortIsReportedAndNothingClaimsToHaveStarted() throws IOException {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> c)) {
      TestNode a = g.node("a");
      try (SilentListener listener = new SilentListener(a.config.redis().address().port())) {
        a.startAgent();
        Await.until("the agent reports the port taken", Duration.ofSeconds(10), () -> a.agent.recentEvents().stream()
            .anyMatch(e -> e.type().equals("redis-port-taken") && e.cause().contains("does not answer as Redis")));
        Await.until("the agent says its Redis is down", Duration.ofSeconds(10),
            () -> a.agent.status().lastDecision().contains("my Redis is down"));
        List<Event> events = a.agent.recentEvents();
        assertFalse(events.stream().anyMatch(e -> e.type().startsWith("redis-start")), "nothing started: " + events);
        assertFalse(a.agent.status().redisUp());
      }
    }
  }

  @Test
  void aServerThatExitsAtOnceIsReportedOnceWithItsLogAndNeverAsStarted() {
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, ManagedRedisAcrossAgentRestartsTest::withBadDirective)) {
      TestNode a = g.node("a");
      Path log = a.config.redis().dataDir().resolve("redis.log");
      a.startAgent();
      Await.until("three failed starts", Duration.ofSeconds(20), () -> count(log, "Bad directive") >= 3);
      List<Event> events = a.agent.recentEvents();
      List<Event> failed = events.stream().filter(e -> e.type().equals("redis-start-failed")).toList();
      assertEquals(1, failed.size(), "one report per distinct failure: " + events);
      assertTrue(failed.get(0).cause().startsWith("redis-server exited at once (code 1): "), failed.get(0).cause());
      assertTrue(String.valueOf(failed.get(0).fields().get("log_tail")).contains("no-such-directive"),
          failed.get(0).fields().toString());
      assertFalse(events.stream().anyMatch(e -> e.type().equals("redis-start")), "nothing started: " + events);
    }
  }

  private static NodeConfig withBadDirective(NodeConfig c) {
    RedisConfig r = c.redis();
    RedisConfig bad = new RedisConfig(r.address(), r.announce(), r.user(), r.password(), r.tls(), r.mode(),
        r.binary(), r.dataDir(), List.of("--no-such-directive", "1"));
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), bad, c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), c.stateDir(), c.endpoints());
  }

  private static long count(Path file, String text) {
    try {
      return Files.exists(file) ? Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
          .filter(l -> l.contains(text)).count() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static String configGet(RedisControl c, String name) {
    Object reply = c.command("CONFIG", "GET", name);
    return text(((List<?>) reply).get(1));
  }

  private static String text(Object reply) {
    return reply instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(reply);
  }

  /** Accepts connections on a port and never answers: a process that is not Redis at all. */
  private static final class SilentListener implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> accepted = new ArrayList<>();
    private final Thread thread;

    SilentListener(int port) throws IOException {
      socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            Socket s = socket.accept();
            synchronized (accepted) {
              accepted.add(s);
            }
          } catch (IOException e) {
            return;
          }
        }
      }, "silent-listener");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (accepted) {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }
}
