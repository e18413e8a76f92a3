package dev.redisha.endpoint.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * redis-cli, run as a process, talks to the endpoint like to a Sentinel. The endpoint requires a
 * password, which reaches redis-cli through REDISCLI_AUTH, never its command line.
 */
class RedisCliTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Secret PASSWORD = RedisPair.randomSecret("sentinel password");
  private static final HostPort OTHER_SENTINEL = new HostPort("127.0.0.1", 26399);

  @TempDir static Path dir;
  private static RedisPair redis;
  private static SentinelEndpoint endpoint;

  @BeforeAll
  static void start() {
    assumeTrue(redisCli().isPresent(), "redis-cli is not installed; skipping the redis-cli tests");
    redis = RedisPair.start(dir);
    try {
      endpoint = SentinelEndpoint.start(new HostPort("127.0.0.1", 0), "mymaster", "node-a",
          Optional.of(PASSWORD), List.of(new SentinelPeer("node-b", OTHER_SENTINEL)));
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
    endpoint.update(JedisSentinelPoolTest.view(1, redis.a, redis.b));
  }

  @AfterAll
  static void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void getMasterAddrByNamePrintsTheMastersAddressWhichIsTheRealMaster() {
    List<String> out = cli("SENTINEL", "get-master-addr-by-name", "mymaster");
    assertEquals(List.of(redis.a.host(), Integer.toString(redis.a.port())), out);
    assertTrue(redis.isMaster(redis.a));
  }

  @Test
  void unknownMasterNameIsNil() {
    assertEquals(List.of(""), cli("SENTINEL", "get-master-addr-by-name", "othermaster"));
  }

  @Test
  void pingMastersReplicasAndSentinelsAreAnswered() {
    assertEquals(List.of("PONG"), cli("PING"));

    List<String> masters = cli("SENTINEL", "masters");
    assertEquals("name", masters.get(0));
    assertEquals("mymaster", valueAfter(masters, "name"));
    assertEquals(redis.a.host(), valueAfter(masters, "ip"));
    assertEquals(Integer.toString(redis.a.port()), valueAfter(masters, "port"));
    assertEquals("master", valueAfter(masters, "flags"));
    assertEquals("1", valueAfter(masters, "num-slaves"));
    assertEquals("1", valueAfter(masters, "num-other-sentinels"));
    assertEquals("2", valueAfter(masters, "quorum"));

    List<String> replicas = cli("SENTINEL", "replicas", "mymaster");
    assertEquals(redis.b.toString(), valueAfter(replicas, "name"));
    assertEquals(Integer.toString(redis.b.port()), valueAfter(replicas, "port"));
    assertEquals("slave", valueAfter(replicas, "flags"));
    assertEquals("ok", valueAfter(replicas, "master-link-status"));
    assertEquals(Integer.toString(redis.a.port()), valueAfter(replicas, "master-port"));
    List<String> slaves = cli("SENTINEL", "slaves", "mymaster");
    assertEquals(replicas.subList(0, 10), slaves.subList(0, 10), "name, ip, port, runid, flags");

    List<String> sentinels = cli("SENTINEL", "sentinels", "mymaster");
    assertEquals(SentinelEndpoint.runId("mymaster", "node-b"), valueAfter(sentinels, "runid"));
    assertEquals(Integer.toString(OTHER_SENTINEL.port()), valueAfter(sentinels, "port"));

    assertEquals(List.of(endpoint.runId()), cli("SENTINEL", "myid"));
    assertTrue(cli("INFO", "sentinel").contains("master0:name=mymaster,status=ok,address="
        + redis.a + ",slaves=1,sentinels=2"));
  }

  /** redis-cli -3 prints maps as "field value" lines, as it does for a real redis-sentinel. */
  @Test
  void resp3HelloMastersAndAddressArePrintedAsForARealSentinel() {
    List<String> hello = cli("-3", "HELLO", "3");
    assertTrue(hello.contains("proto 3") && hello.contains("mode sentinel")
        && hello.contains("server redis"), hello.toString());
    List<String> masters = cli("-3", "SENTINEL", "masters");
    assertEquals("name mymaster", masters.get(0));
    assertTrue(masters.contains("port " + redis.a.port()), masters.toString());
    assertTrue(masters.contains("flags master"), masters.toString());
    List<String> replicas = cli("-3", "SENTINEL", "replicas", "mymaster");
    assertEquals("name " + redis.b, replicas.get(0));
    assertEquals(List.of(redis.a.host(), Integer.toString(redis.a.port())),
        cli("-3", "SENTINEL", "get-master-addr-by-name", "mymaster"));
    assertEquals(List.of(""), cli("-3", "SENTINEL", "get-master-addr-by-name", "othermaster"));
  }

  @Test
  void resp3SubscriberReceivesSwitchMasterOnAChange() throws Exception {
    subscriberReceivesSwitchMaster("-3");
  }

  @Test
  void subscriberReceivesSwitchMasterOnAChange() throws Exception {
    subscriberReceivesSwitchMaster("-2");
  }

  private void subscriberReceivesSwitchMaster(String protocol) throws Exception {
    Path output = Files.createTempFile(dir, "subscribe", ".out");
    Process subscriber = cliProcess(output, protocol, "SUBSCRIBE", SentinelEndpoint.SWITCH_MASTER);
    try {
      Await.until("redis-cli subscribed", WAIT,
          () -> read(output).contains("subscribe\n+switch-master\n1\n"));
      redis.makeMaster(redis.b, redis.a);
      endpoint.update(JedisSentinelPoolTest.view(2, redis.b, redis.a));
      String expected = "message\n+switch-master\nmymaster " + redis.a.host() + " " + redis.a.port()
          + " " + redis.b.host() + " " + redis.b.port() + "\n";
      Await.until("redis-cli printed the +switch-master message", WAIT,
          () -> read(output).contains(expected));
      assertEquals(List.of(redis.b.host(), Integer.toString(redis.b.port())),
          cli("SENTINEL", "get-master-addr-by-name", "mymaster"));
    } finally {
      subscriber.destroyForcibly();
      subscriber.waitFor(5, TimeUnit.SECONDS);
      redis.makeMaster(redis.a, redis.b);
      endpoint.update(JedisSentinelPoolTest.view(3, redis.a, redis.b));
    }
  }

  /** Runs redis-cli to completion (at most 10 s) and returns its output lines. */
  private static List<String> cli(String... args) {
    try {
      Path output = Files.createTempFile(dir, "cli", ".out");
      Process process = cliProcess(output, args);
      try {
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
          fail("redis-cli " + String.join(" ", args) + " did not finish within " + WAIT);
        }
        assertEquals(0, process.exitValue(), "redis-cli exit code; output: " + read(output));
      } finally {
        process.destroyForcibly();
      }
      // INFO's text has CRLF line ends; redis-cli prints it as it is.
      String text = read(output).replace("\r\n", "\n");
      return List.of(text.endsWith("\n") ? text.substring(0, text.length() - 1).split("\n", -1)
          : text.split("\n", -1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Process cliProcess(Path output, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(redisCli().orElseThrow().toString(),
        "-h", endpoint.address().host(), "-p", Integer.toString(endpoint.address().port())));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().put("REDISCLI_AUTH", PASSWORD.text());
    return builder.start();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String valueAfter(List<String> fieldsAndValues, String field) {
    int at = fieldsAndValues.indexOf(field);
    assertTrue(at >= 0 && at + 1 < fieldsAndValues.size(), field + " in " + fieldsAndValues);
    return fieldsAndValues.get(at + 1);
  }

  private static Optional<Path> redisCli() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(entry, "redis-cli");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
