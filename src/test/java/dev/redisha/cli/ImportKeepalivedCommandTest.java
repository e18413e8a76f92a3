package dev.redisha.cli;

import dev.redisha.testsupport.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.ConfigLoader;
import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code import-keepalived} on the seed's two keepalived.conf files and five scripts
 * (src/test/resources/keepalived/seed, ORIGIN.md there): what a keepalived user gets, checked by
 * loading it as the agent does and by {@code check-config}.
 */
class ImportKeepalivedCommandTest {
  private static final Path SEED = Path.of("src/test/resources/keepalived/seed");

  @TempDir Path dir;
  private Path scripts;

  /** The scripts as they are on the seed's hosts: executable (resources lose the bit). */
  @BeforeEach
  void copyScripts() throws IOException {
    scripts = Files.createDirectory(dir.resolve("scripts"));
    try (Stream<Path> files = Files.list(SEED.resolve("scripts"))) {
      for (Path f : files.toList()) {
        Path copy = Files.copy(f, scripts.resolve(f.getFileName()));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }

  @Test
  void theSeedsBackupBecomesANodeThatCheckConfigAccepts() throws Exception {
    Path yaml = dir.resolve("b.yaml");
    CliRun r = importSeed("server12", yaml);
    assertEquals(0, r.exit(), r.out() + r.err());

    NodeConfig c = ConfigLoader.load(yaml, Map.of());
    assertEquals("vi_1", c.group());
    assertEquals("192-168-1-113", c.nodeId());
    assertEquals(99, c.priority());
    assertEquals(1000, c.coordination().advertIntervalMs());
    assertTrue(c.coordination().preempt());
    assertEquals(Optional.of(new EndpointsConfig.Vip("192.168.1.120", 32, "eth0", 5, 300)), c.endpoints().vip());
    assertEquals("192-168-1-112", c.peers().get(0).nodeId());
    assertEquals("192.168.1.112:6379", c.peers().get(0).redis().toString());
    assertEquals("192.168.1.113", c.redis().announce().host());
    // The fault and stop scripts only log: hooks. The master and backup scripts send SLAVEOF,
    // which would fight the agent: written commented out, and said so.
    assertEquals(Optional.of(scripts.resolve("redis_fault.sh").toAbsolutePath()), c.hooks().notifyFault());
    assertEquals(Optional.of(scripts.resolve("redis_stop.sh").toAbsolutePath()), c.hooks().notifyStop());
    assertEquals(Optional.empty(), c.hooks().notifyMaster());
    assertEquals(Optional.empty(), c.hooks().notifyBackup());
    assertTrue(r.out().contains("hook notify_master written commented out: it runs \"SLAVEOF\" (redis_master.sh line 7)"), r.out());

    // The password of the scripts' "redis-cli -a 123" is in a 0600 file, and only there.
    Path pass = dir.resolve("redis.pass");
    assertEquals("123", Files.readString(pass));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pass)));
    assertEquals("123", new String(c.redis().password().orElseThrow().bytes(), StandardCharsets.UTF_8));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("group.key"))));
    assertTrue(r.out().contains("the Redis password, from the redis-cli -a in redis_monitor.sh line 2"), r.out());

    CliRun check = run("check-config", yaml.toString());
    assertEquals(0, check.exit(), check.out() + check.err());
    assertTrue(check.out().contains("ok (group vi_1, node 192-168-1-113, 1 peer(s), external mode)"), check.out());
  }

  @Test
  void everyOptionNotCarriedOverIsListedByNameAndLine() {
    CliRun r = importSeed("server12", dir.resolve("b.yaml"));
    assertEquals(0, r.exit(), r.out() + r.err());
    for (String line : new String[] {
        "keepalived.conf:4: router_id: ", "keepalived.conf:7: vrrp_script: ", "keepalived.conf:9: interval: ",
        "keepalived.conf:10: weight: ", "keepalived.conf:14: state: ", "keepalived.conf:16: virtual_router_id: ",
        "keepalived.conf:20: authentication: ", "keepalived.conf:22: auth_pass: ", "keepalived.conf:24: track_script: "}) {
      assertTrue(r.out().contains("  " + line), "missing \"" + line + "\" in:\n" + r.out());
    }
    assertTrue(r.out().contains("not carried over (12):"), r.out());
    // The VRRP password is named, never shown.
    assertFalse(r.out().contains("password_123") || r.err().contains("password_123"), r.out());
  }

  @Test
  void theSeedsTwoConfigsGiveTwoNodesOfOneGroup() throws Exception {
    Path a = dir.resolve("a.yaml");
    Path b = dir.resolve("b.yaml");
    CliRun first = importSeed("server11", a);
    assertEquals(0, first.exit(), first.out() + first.err());
    // The second node takes the first node's key, as an operator copies it across.
    CliRun second = run("import-keepalived", SEED.resolve("server12/keepalived.conf").toString(),
        "--scripts", scripts.toString(), "--out", b.toString(), "--password-file", dir.resolve("b.pass").toString(),
        "--key-file", dir.resolve("group.key").toString(), "--state-dir", dir.resolve("state-b").toString());
    assertEquals(0, second.exit(), second.out() + second.err());
    assertTrue(second.out().contains("kept " + dir.resolve("group.key") + ": an existing group key"), second.out());

    NodeConfig master = ConfigLoader.load(a, Map.of());
    assertEquals(100, master.priority());
    assertEquals("192-168-1-112", master.nodeId());
    // The master's config names only its own address; the peer is the other one its scripts name.
    assertEquals("192-168-1-113", master.peers().get(0).nodeId());
    assertTrue(first.out().contains("peer 192.168.1.113 (named in redis_"), first.out());
    CliRun check = run("check-config", a.toString(), b.toString());
    assertEquals(0, check.exit(), check.out() + check.err());
    assertTrue(check.out().contains("group: ok (2 files agree on group, key and peers)"), check.out());
  }

  @Test
  void thePasswordIsNeverPrintedNorWrittenIntoTheYaml() throws Exception {
    String secret = "s3cret-Pa55word";
    for (Path f : Files.list(scripts).toList()) {
      Files.writeString(f, Files.readString(f).replace("-a 123", "-a '" + secret + "'"));
    }
    Path yaml = dir.resolve("b.yaml");
    CliRun r = importSeed("server12", yaml);
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals(secret, Files.readString(dir.resolve("redis.pass")));
    assertFalse(Files.readString(yaml).contains(secret), "password in the YAML");
    assertFalse(r.out().contains(secret) || r.err().contains(secret), "password printed");
  }

  @Test
  void scriptsWithDifferentPasswordsGiveNoPasswordFile() throws Exception {
    Path monitor = scripts.resolve("redis_monitor.sh");
    Files.writeString(monitor, Files.readString(monitor).replace("-a 123", "-a 456"));
    CliRun r = importSeed("server12", dir.resolve("b.yaml"));
    assertEquals(0, r.exit(), r.out() + r.err());
    assertFalse(Files.exists(dir.resolve("redis.pass")));
    assertTrue(r.out().contains("the scripts use 2 different redis-cli passwords"), r.out());
    assertFalse(r.out().contains("456"), r.out());
  }

  @Test
  void aMalformedConfigIsAnErrorNamingFileAndLine() throws Exception {
    Path conf = dir.resolve("keepalived.conf");
    String seed = Files.readString(SEED.resolve("server12/keepalived.conf"));
    // The closing brace of "authentication" lost: the instance's block never closes.
    Files.writeString(conf, seed.replace("        auth_pass password_123\n    }\n", "        auth_pass password_123\n"));
    Path yaml = dir.resolve("b.yaml");
    CliRun r = run("import-keepalived", conf.toString(), "--scripts", scripts.toString(), "--out", yaml.toString());
    assertEquals(1, r.exit(), r.out() + r.err());
    assertEquals("import-keepalived: " + conf + ":13: the block opened here is not closed: a '}' is missing"
        + " before the end of the file\n", r.err());
    assertFalse(Files.exists(yaml));

    Files.writeString(conf, seed.replace("priority 99", "priority high"));
    r = run("import-keepalived", conf.toString(), "--scripts", scripts.toString(), "--out", yaml.toString());
    assertEquals(1, r.exit());
    assertEquals("import-keepalived: " + conf + ":18: priority must be an integer from 1 to 255, got \"high\"\n", r.err());
  }

  @Test
  void anExistingConfigIsNotReplacedWithoutForce() throws Exception {
    Path yaml = dir.resolve("b.yaml");
    Files.writeString(yaml, "mine\n");
    CliRun r = importSeed("server12", yaml);
    assertEquals(1, r.exit());
    assertTrue(r.err().contains(yaml + " exists; give --force to replace it"), r.err());
    assertEquals("mine\n", Files.readString(yaml));
    assertFalse(Files.exists(dir.resolve("redis.pass")), "nothing written beside it");
  }

  private CliRun importSeed(String host, Path yaml) {
    return run("import-keepalived", SEED.resolve(host + "/keepalived.conf").toString(), "--scripts", scripts.toString(),
        "--out", yaml.toString(), "--state-dir", dir.resolve("state-" + host).toString());
  }

  private static CliRun run(String... args) {
    return CliRun.run(args);
  }
}
