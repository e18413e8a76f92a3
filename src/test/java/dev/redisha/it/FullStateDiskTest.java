package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisConfig;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable epoch or no promotion (DESIGN §4): with its state directory on a full filesystem (a
 * real tmpfs, so the error is the kernel's ENOSPC) a replica does not promote, says why, and
 * promotes once space is back.
 */
class FullStateDiskTest {
  @TempDir Path dir;

  @Test
  void aReplicaThatCannotRecordItsEpochDoesNotPromoteAndDoesOnceTheDiskHasRoom() throws Exception {
    assumeTrue(isRoot(), "skipped: mounting a small tmpfs needs root (CI runs as root)");
    Path bState = dir.resolve("b-state-tmpfs");
    Files.createDirectories(bState);
    run("mount", "-t", "tmpfs", "-o", "size=512k", "redisha-test-tmpfs", bState.toString());
    try {
      try (SteadyPair p = SteadyPair.managed(dir, c -> c.nodeId().equals("b") ? onTmpfs(c, bState) : c)) {
        TestGroup g = p.group();
        TestNode a = p.a();
        TestNode b = p.b();

        Path filler = bState.resolve("filler");
        fill(filler);
        a.redisProcess().kill();

        Await.until("b reports that it cannot record its state", Duration.ofSeconds(10),
            () -> b.agent.status().stateProblem().contains("No space left on device"));
        assertFalse(b.redisIsMaster(), "b promoted with an epoch that is not on disk");
        assertTrue(scrape(b).contains("redisha_state_writable 0.0"), "the metric shows it");
        assertTrue(b.agent.recentEvents().stream().anyMatch(e -> e.type().equals("takeover-aborted")),
            "the aborted takeover is an event");
        assertFalse(Files.exists(bState.resolve("state.json.tmp")), "no temporary file is left behind");

        Files.delete(filler);
        Await.until("b promotes once the epoch can be recorded", Duration.ofSeconds(10),
            () -> b.isMasterAgent() && b.redisIsMaster());
        assertEquals("", b.agent.status().stateProblem());
        String onDisk = Files.readString(bState.resolve("state.json"));
        assertTrue(onDisk.contains("\"epochMaster\" : \"b\""), onDisk);
      }
    } finally {
      run("umount", "-l", bState.toString());
    }
  }

  private static NodeConfig onTmpfs(NodeConfig c, Path stateDir) {
    RedisConfig r = c.redis();
    // Redis' own files stay off the small filesystem: only the agent's state is starved.
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(),
        new RedisConfig(r.address(), r.announce(), r.user(), r.password(), r.tls(), r.mode(), r.binary(), r.dataDir(),
            r.extraArgs()),
        c.peers(), c.coordination(), c.health(), c.persistence(), c.failover(), c.hooks(), c.api(), stateDir,
        c.endpoints());
  }

  private static void fill(Path filler) throws IOException {
    byte[] chunk = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (int i = 0; i < 1024; i++) { // bounded: 4 MiB at most, the filesystem holds 512 KiB
        out.write(chunk);
        out.flush();
      }
    } catch (IOException expected) {
      // No space left on device: the filesystem is full, which is the point.
    }
  }

  private static String scrape(TestNode n) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.agent.apiPort() + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build();
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + new String(p.getInputStream().readAllBytes()));
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
