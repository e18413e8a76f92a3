package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.testsupport.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * redis-py's {@code redis.sentinel.Sentinel} (Debian's python3-redis), given only the agents'
 * Sentinel endpoints, follows a crash failover: a small bounded Python script writes through
 * {@code master_for}, node a's Redis is SIGKILLed, b is promoted, and the script's writes must
 * go on at b, the master the endpoints name. Equal priorities, so there is no failback to hide a
 * client that never moved. Skipped, saying why, where no Python has the redis module.
 */
class RedisPySentinelFailoverTest {
  /**
   * The redis-py releases tested, each in its own interpreter: Debian's python3-redis (4.3, RESP2)
   * and the current major (8.x, which opens connections with HELLO 3), installed by .ci/run into
   * a venv. Debian's interpreter first: a python3 earlier on the PATH (pyenv) lacks its modules.
   */
  static List<String> pythons() {
    return List.of("/usr/bin/python3",
        System.getProperty("user.home") + "/.cache/redis-ha-test/redis-py-8/bin/python");
  }

  private static final String SCRIPT = """
      import json, os, sys, time
      import redis
      from redis.sentinel import Sentinel
      sentinels = [(h, int(p)) for h, p in (a.split(':') for a in sys.argv[1].split(','))]
      stop_file = sys.argv[2]
      password = sys.stdin.readline().strip()  # never on the command line
      sentinel = Sentinel(sentinels, socket_timeout=1.0)
      master = sentinel.master_for('mymaster', password=password, socket_timeout=1.0,
                                   socket_connect_timeout=1.0)
      acked, errors, readonly = 0, {}, []
      deadline = time.monotonic() + 60
      i = 0
      while i < 2_000_000 and time.monotonic() < deadline and not os.path.exists(stop_file):
          i += 1
          try:
              master.set('py%d' % i, i)
              acked += 1
              if acked % 200 == 0:
                  print('acked %d' % acked, flush=True)
          except redis.exceptions.RedisError as e:
              kind = type(e).__name__
              errors[kind] = errors.get(kind, 0) + 1
              if 'slave' in str(e) or 'READONLY' in str(e):
                  readonly.append(time.monotonic())
              time.sleep(0.01)
      port = master.info('server')['tcp_port']
      print(json.dumps({'redis_py': redis.__version__, 'acked': acked, 'errors': errors,
                        'readonly_ms': int((readonly[-1] - readonly[0]) * 1000) if readonly else 0,
                        'discovered': list(sentinel.discover_master('mymaster')), 'port': port}),
            flush=True)
      """;

  @TempDir Path dir;

  @ParameterizedTest
  @MethodSource("pythons")
  void sentinelMasterForFollowsACrashFailover(String interpreter) throws Exception {
    Optional<String> python = Optional.of(interpreter).filter(RedisPySentinelFailoverTest::hasRedisModule);
    assumeTrue(python.isPresent(), interpreter + " has no redis module (Debian: apt-get install python3-redis;"
        + " redis-py 8: .ci/run makes the venv); skipping the redis-py Sentinel test with it");
    HostPort sentinelA = TestGroup.loopback(TestGroup.freeTcpPort());
    HostPort sentinelB = TestGroup.loopback(TestGroup.freeTcpPort());
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, c -> tweak(c, sentinelA, sentinelB))) {
      g.nodes().forEach(TestNode::startAgent);
      Await.until("a master", Duration.ofSeconds(20), () -> g.masterByAgents().isPresent());
      TestNode a = g.masterByAgents().orElseThrow();
      TestNode b = g.nodes().stream().filter(n -> n != a).findFirst().orElseThrow();
      Scenarios.awaitSteadyPair(g, a, b);
      Path script = Files.writeString(dir.resolve("sentinel_writer.py"), SCRIPT);
      Path stop = dir.resolve("stop");
      Process p = new ProcessBuilder(python.get(), script.toString(), sentinelA + "," + sentinelB, stop.toString())
          .redirectError(dir.resolve("python.err").toFile()).start();
      List<String> out = new CopyOnWriteArrayList<>();
      Thread reader = new Thread(() -> readLines(p, out), "redis-py-stdout");
      reader.start();
      try {
        p.getOutputStream().write((a.config.redis().password().orElseThrow().text() + "\n")
            .getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        Await.until("writes through redis-py", Duration.ofSeconds(20), () -> acked(out) >= 400);
        a.redisProcess().kill();
        Await.until("b promoted", Duration.ofSeconds(15), b::isMasterAgent);
        Await.until("a's Redis back as a replica", Duration.ofSeconds(20),
            () -> a.info().map(i -> !i.isMaster() && i.masterLinkUp()).orElse(false));
        int before = acked(out);
        Await.until("redis-py writes continue after the failover", Duration.ofSeconds(20),
            () -> acked(out) >= before + 400);
        Files.writeString(stop, "");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the script stops when asked");
        reader.join(5000);
      } finally {
        p.destroyForcibly();
      }
      String result = out.stream().filter(l -> l.startsWith("{")).findFirst()
          .orElseThrow(() -> new AssertionError("no result from the script; stderr: " + stderr()));
      System.out.println("redis-py (" + python.get() + "): " + result);
      HostPort master = g.masterRedis().orElseThrow();
      assertEquals(0, p.exitValue(), "the script ran to its end; stderr: " + stderr());
      assertTrue(result.contains("\"port\": " + master.port() + "}"),
          "redis-py's writes end at the agents' master " + master + ": " + result);
      assertTrue(result.contains("\"discovered\": [\"" + master.host() + "\", " + master.port() + "]"),
          "redis-py discovers the agents' master " + master + ": " + result);
    }
  }

  private String stderr() {
    try {
      return Files.readString(dir.resolve("python.err"));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static int acked(List<String> out) {
    int acked = 0;
    for (String l : out) {
      if (l.startsWith("acked ")) {
        acked = Integer.parseInt(l.substring(6).trim());
      }
    }
    return acked;
  }

  private static void readLines(Process p, List<String> out) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        out.add(l);
      }
    } catch (IOException e) {
      out.add("read failed: " + e.getMessage());
    }
  }

  private static boolean hasRedisModule(String python) {
    try {
      Process p = new ProcessBuilder(python, "-c", "import redis.sentinel").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static NodeConfig tweak(NodeConfig c, HostPort sentinelA, HostPort sentinelB) {
    boolean isA = c.nodeId().equals("a");
    NodeConfig w = EndpointsThroughAgentsTest.withEndpoints(c,
        new EndpointsConfig(Optional.empty(), Optional.empty(), Optional.of(new EndpointsConfig.Sentinel(
            isA ? sentinelA : sentinelB, "mymaster",
            isA ? Map.of("b", sentinelB) : Map.of("a", sentinelA)))));
    // Equal priorities: no failback, so the client must move to b.
    return new NodeConfig(w.source(), w.group(), w.nodeId(), 100, w.redis(), w.peers(), w.coordination(),
        w.health(), w.persistence(), w.failover(), w.hooks(), w.api(), w.stateDir(), w.endpoints());
  }
}
