package dev.redisha.cli;

import dev.redisha.testsupport.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.redisha.redis.FreePorts;
import dev.redisha.testsupport.ReadOnlyDirectory;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** F12 (config part) at the command line: what an operator sees from {@code check-config}. */
class CheckConfigCommandTest {
  @TempDir Path dir;

  @Test
  void badConfigExitsNonZeroNamingFileFieldAndExpectation() throws Exception {
    Path key = Files.writeString(dir.resolve("key.txt"), "0123456789abcdef0123456789abcdef");
    Path bad = Files.writeString(dir.resolve("node-x.yaml"), String.join("\n",
        "group: demo",
        "node_id: x",
        "priority: 900",
        "peers:",
        "  - node_id: y",
        "    advert_address: 127.0.0.1:notaport",
        "    redis: 127.0.0.1:6381",
        "coordination:",
        "  key_file: " + key,
        "  advert_interval_ms: fast",
        ""));
    CliRun r = run("check-config", bad.toString());
    assertEquals(1, r.exit());
    assertTrue(r.out().contains("node-x.yaml: priority:"), r.out());
    assertTrue(r.out().contains("peers[0].advert_address"), r.out());
    assertTrue(r.out().contains("coordination.advert_interval_ms"), r.out());
  }

  @Test
  void theShippedExamplesAreValid() {
    CliRun r = run("check-config", "examples/node-a.yaml", "examples/node-b.yaml");
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("examples/node-a.yaml: ok"), r.out());
  }

  @Test
  void theShippedExamplesFormOneGroup() {
    CliRun r = run("check-config", "examples/node-a.yaml", "examples/node-b.yaml");
    assertTrue(r.out().contains("group: ok (2 files agree on group, key and peers)"), r.out());
  }

  @Test
  void filesWithDifferentKeysFailAsAGroupWithoutShowingEitherKey() throws Exception {
    Path a = copyExample("node-a.yaml", "key.txt");
    Files.writeString(dir.resolve("other-key.txt"), "fedcba9876543210fedcba9876543210");
    Path b = copyExample("node-b.yaml", "other-key.txt");

    CliRun r = run("check-config", a.toString(), b.toString());

    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains(a + " and " + b + " use different coordination keys (coordination.key_file"), r.out());
    assertTrue(r.out().contains(a + ": ok") && r.out().contains(b + ": ok"), "each file alone is valid: " + r.out());
    assertFalse(r.out().contains("fedcba98"), r.out());
    assertFalse(r.out().contains(Files.readString(Path.of("examples/key.txt")).strip()), r.out());
  }

  @Test
  void aCopiedNodeIdAndPeerEntriesThatDoNotMatchAreNamedByFileAndField() throws Exception {
    Path a = copyExample("node-a.yaml", "key.txt");
    Path b = copyExample("node-b.yaml", "key.txt");
    // b's entry for a points at an old advert port and Redis port; a's twin claims a again.
    Files.writeString(b, Files.readString(b)
        .replace("advert_address: 127.0.0.1:7401", "advert_address: 127.0.0.1:7409")
        .replace("redis: 127.0.0.1:6380", "redis: 127.0.0.1:6388"));
    Path twin = Files.writeString(dir.resolve("node-a2.yaml"), Files.readString(a)
        .replace("listen: 127.0.0.1:7401", "listen: 127.0.0.1:7411"));

    CliRun r = run("check-config", a.toString(), b.toString(), twin.toString());

    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains(a + " and " + twin + " both have node_id a"), r.out());
    assertTrue(r.out().contains(b + ": peers[0].advert_address is 127.0.0.1:7409 but " + a
        + "'s coordination.listen is 127.0.0.1:7401"), r.out());
    assertTrue(r.out().contains(b + ": peers[0].redis is 127.0.0.1:6388 but " + a
        + "'s Redis is announced at 127.0.0.1:6380"), r.out());
  }

  @Test
  void aNodeMissingFromAnotherNodesPeersIsNamed() throws Exception {
    Path a = copyExample("node-a.yaml", "key.txt");
    Path b = copyExample("node-b.yaml", "key.txt");
    Path c = Files.writeString(dir.resolve("node-c.yaml"), Files.readString(b)
        .replace("node_id: b", "node_id: c").replace("listen: 127.0.0.1:7402", "listen: 127.0.0.1:7403"));

    CliRun r = run("check-config", a.toString(), b.toString(), c.toString());

    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains(a + ": peers: no entry for node c (" + c + ")"), r.out());
    assertTrue(r.out().contains(a + " and " + c + " name different groups") == false, r.out());
  }

  @Test
  void redisOptionsThisRedisServerRefusesAreNamedWithItsOwnFatalLine() throws Exception {
    CliRun r = run("check-config", node("""
        redis:
          port: %d
          extra_args: ["--maxmemory 64mb", "--maxmemroy 64mb"]
        """.formatted(FreePorts.tcp())).toString());

    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains("node.yaml: redis.extra_args: "), r.out());
    assertTrue(r.out().contains("redis-server does not start with these"
        + " options: FATAL CONFIG FILE ERROR: 'maxmemroy 64mb' (from redis.extra_args):"
        + " Bad directive or wrong number of arguments"), r.out());
    assertFalse(r.out().contains(": ok ("), r.out());
  }

  @Test
  void aBadValueForARealOptionIsRefusedAndGoodOptionsPass() throws Exception {
    CliRun bad = run("check-config", node("""
        redis:
          extra_args: ["--maxmemory-policy sometimes"]
        """).toString());
    assertEquals(1, bad.exit(), bad.out());
    assertTrue(bad.out().contains("'maxmemory-policy sometimes' (from redis.extra_args): argument(s) must be"
        + " one of the following: volatile-lru"), bad.out());

    CliRun good = run("check-config", node("""
        redis:
          extra_args: ["--maxmemory-policy allkeys-lru", "--hz 20"]
        """).toString());
    assertEquals(0, good.exit(), good.out());
    assertTrue(good.out().contains("node.yaml: ok ("), good.out());
  }

  @Test
  void externalModeSaysTheRedisOptionsAreNotChecked() throws Exception {
    CliRun r = run("check-config", node("""
        redis:
          mode: external
        """).toString());
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("node.yaml: note: redis options: not checked (redis.mode is external"), r.out());
  }

  @Test
  void aHostThatDoesNotResolveIsNamedWithItsField() throws Exception {
    CliRun r = run("check-config", node("""
        api:
          listen: api.redis-ha.invalid:7480
        """).toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains("node.yaml: api.listen: the host api.redis-ha.invalid cannot be resolved here"
        + " (DNS or /etc/hosts)"), r.out());
  }

  @Test
  void aStateDirectoryThatCannotBeCreatedIsAnError() throws Exception {
    Path plainFile = Files.writeString(dir.resolve("not-a-dir"), "x");
    CliRun r = run("check-config", node("state_dir: " + plainFile.resolve("a") + "\n").toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains("node.yaml: state_dir: " + plainFile.resolve("a") + " cannot be created: "
        + plainFile + " is not a directory"), r.out());
  }

  @Test
  void aReadOnlyStateDirectoryIsAnErrorEvenForRoot() throws Exception {
    Path state = Files.createDirectories(dir.resolve("ro-state"));
    boolean mounted = ReadOnlyDirectory.make(state);
    try {
      CliRun r = run("check-config", node("state_dir: " + state + "\n").toString());
      assertEquals(1, r.exit(), r.out());
      String reason = mounted ? "Read-only file system" : "permission denied";
      assertTrue(r.out().contains("node.yaml: state_dir: the agent cannot create files in " + state + ": "
          + reason + "; the agent keeps its state and event log there"), r.out());
      assertEquals(0, Files.list(state).count(), "the probe file is gone");
    } finally {
      ReadOnlyDirectory.undo(state, mounted);
    }
  }

  @Test
  void secretFilesOthersCanReadAreAWarningNamingFieldAndMode() throws Exception {
    Path pass = Files.writeString(dir.resolve("redis.pass"), "pw-0123456789");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r--r--"));
    Path token = Files.writeString(dir.resolve("api.token"), "token-0123456789");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r-----"));
    Path yaml = node("""
        redis:
          password_file: %s
        api:
          token_file: %s
        """.formatted(pass, token));

    CliRun r = run("check-config", yaml.toString());

    assertEquals(0, r.exit(), "a warning, not an error: " + r.out());
    assertTrue(r.out().contains("warning: " + yaml + ": redis.password_file: " + pass
        + " is readable by its group and by others (mode 0644); chmod 600 it"), r.out());
    assertTrue(r.out().contains("warning: " + yaml + ": api.token_file: " + token
        + " is readable by its group (mode 0640); chmod 600 it"), r.out());
    assertFalse(r.out().contains("key_file"), "the 0600 key file is fine: " + r.out());
    assertFalse(r.out().contains("pw-0123456789") || r.out().contains("token-0123456789"), r.out());
  }

  /**
   * A node config in the temp dir with a 0600 key file, its own state directory and free ports;
   * {@code extra} adds or replaces top-level sections.
   */
  private Path node(String extra) throws Exception {
    Path key = dir.resolve("node-key.txt");
    if (!Files.exists(key)) {
      Files.writeString(key, "0123456789abcdef0123456789abcdef");
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }
    String yaml = String.join("\n",
        "group: g",
        "node_id: a",
        extra.startsWith("state_dir:") ? "" : "state_dir: " + dir.resolve("state-a"),
        "peers:",
        "  - node_id: b",
        "    advert_address: 127.0.0.1:" + FreePorts.udp(),
        "    redis: 127.0.0.1:" + FreePorts.tcp(),
        "coordination:",
        "  key_file: " + key,
        "  listen: 127.0.0.1:" + FreePorts.udp(),
        extra);
    return Files.writeString(dir.resolve("node.yaml"), yaml);
  }

  /** An example config in the temp dir, using the given key file there. */
  private Path copyExample(String name, String keyFile) throws Exception {
    Path key = dir.resolve("key.txt");
    if (!Files.exists(key)) {
      Files.copy(Path.of("examples/key.txt"), key);
    }
    String yaml = Files.readString(Path.of("examples", name)).replace("key_file: key.txt", "key_file: " + keyFile);
    return Files.writeString(dir.resolve(name), yaml);
  }

  private static CliRun run(String... args) {
    return CliRun.run(args);
  }
}
