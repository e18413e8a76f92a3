package dev.redisha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.redis.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code run} when something stands in its way: every listener whose port another process holds
 * ends the agent with one sentence naming the field to change and exit code 3; options the
 * redis-server refuses stop it before anything starts.
 */
class RunCommandTest {
  @TempDir Path dir;
  private int redis;
  private int api;
  private int proxy;
  private int sentinel;
  private int adverts;

  @BeforeEach
  void ports() {
    redis = FreePorts.tcp();
    api = FreePorts.tcp();
    proxy = FreePorts.tcp();
    sentinel = FreePorts.tcp();
    adverts = FreePorts.udp();
  }

  @Test
  void aTakenProxyPortIsOneSentenceNamingItsFieldAndExitCode3() throws Exception {
    try (ServerSocket taken = tcp(proxy)) {
      Run r = run(externalNode());
      assertFailsOn(r, "the proxy cannot listen on 127.0.0.1:" + proxy + " (endpoints.proxy.listen): another"
          + " process holds that port; change endpoints.proxy.listen or stop that process");
    }
  }

  @Test
  void aTakenSentinelPortIsOneSentenceNamingItsField() throws Exception {
    try (ServerSocket taken = tcp(sentinel)) {
      assertFailsOn(run(externalNode()), "the Sentinel endpoint cannot listen on 127.0.0.1:" + sentinel
          + " (endpoints.sentinel.listen): another process holds that port; change endpoints.sentinel.listen");
    }
  }

  @Test
  void aTakenApiPortIsOneSentenceNamingItsField() throws Exception {
    try (ServerSocket taken = tcp(api)) {
      assertFailsOn(run(externalNode()), "the HTTP API cannot listen on 127.0.0.1:" + api
          + " (api.listen): another process holds that port; change api.listen");
    }
  }

  @Test
  void aTakenAdvertPortIsOneSentenceNamingItsField() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), adverts))) {
      assertFailsOn(run(externalNode()), "the advert socket cannot listen on 127.0.0.1:" + adverts
          + " (coordination.listen): another process holds that port; change coordination.listen");
    }
  }

  @Test
  void redisOptionsTheServerRefusesStopRunBeforeAnythingStarts() throws Exception {
    Path yaml = Files.writeString(dir.resolve("node.yaml"), common("""
        redis:
          port: %d
          extra_args: ["--maxmemory-policy sometimes"]
        """.formatted(redis)));

    Run r = run(yaml);

    assertEquals(ConfigFile.INVALID, r.exit, r.err);
    assertTrue(r.err.contains("node.yaml: redis.extra_args: "), r.err);
    assertTrue(r.err.contains("FATAL CONFIG FILE ERROR: 'maxmemory-policy sometimes' (from redis.extra_args)"), r.err);
    assertFalse(Files.exists(dir.resolve("state")), "nothing was started: " + r.err);
  }

  private static void assertFailsOn(Run r, String sentence) {
    assertEquals(3, r.exit, r.err);
    assertTrue(r.err.contains("redis-ha: cannot start the agent of "), r.err);
    assertTrue(r.err.contains(sentence), r.err);
    assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
  }

  private Path externalNode() throws Exception {
    return Files.writeString(dir.resolve("node.yaml"), common("""
        redis:
          port: %d
          mode: external
        api:
          listen: 127.0.0.1:%d
        endpoints:
          proxy:
            listen: 127.0.0.1:%d
          sentinel:
            listen: 127.0.0.1:%d
        """.formatted(redis, api, proxy, sentinel)));
  }

  private String common(String rest) throws Exception {
    Path key = Files.writeString(dir.resolve("key.txt"), "0123456789abcdef0123456789abcdef");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    return String.join("\n",
        "group: g",
        "node_id: a",
        "state_dir: " + dir.resolve("state"),
        "peers:",
        "  - node_id: b",
        "    advert_address: 127.0.0.1:" + FreePorts.udp(),
        "    redis: 127.0.0.1:" + FreePorts.tcp(),
        "coordination:",
        "  key_file: " + key,
        "  listen: 127.0.0.1:" + adverts,
        rest);
  }

  private static ServerSocket tcp(int port) throws Exception {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private record Run(int exit, String err) {}

  /** {@code run} in this JVM; every case here fails, so it returns instead of running the agent. */
  private static Run run(Path yaml) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int exit = assertTimeoutPreemptively(Duration.ofSeconds(30),
          () -> new CommandLine(new Main()).execute("run", "--config", yaml.toString()));
      return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(old);
    }
  }
}
