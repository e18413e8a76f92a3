package dev.redisha.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private static final String KEY = "0123456789abcdef0123456789abcdef";
  private static final String PASSWORD = "Sup3r-S3cret-Passw0rd-4711";

  /** Everything required, nothing else. */
  private static final String TOP = """
      group: g1
      node_id: a
      peers:
        - node_id: b
          advert_address: 10.0.0.2:7400
          redis: 10.0.0.2:6379
      """;
  private static final String COORDINATION = """
      coordination:
        key_file: key.txt
      """;

  @TempDir Path dir;
  private Map<String, String> env = Map.of("REDIS_PASSWORD", PASSWORD, "EMPTY", "");

  @BeforeEach
  void writeKey() throws IOException {
    Files.writeString(dir.resolve("key.txt"), KEY + "\n");
  }

  @Test
  void minimalConfigGetsTheDocumentedDefaults() throws Exception {
    NodeConfig c = load(TOP + COORDINATION);

    assertEquals(dir.resolve("node.yaml"), c.source());
    assertEquals("g1", c.group());
    assertEquals("a", c.nodeId());
    assertEquals(100, c.priority());
    assertEquals(Path.of("/var/lib/redis-ha/a"), c.stateDir());

    RedisConfig redis = c.redis();
    assertEquals(new HostPort("127.0.0.1", 6379), redis.address());
    assertEquals(redis.address(), redis.announce());
    assertEquals(Optional.empty(), redis.user());
    assertTrue(redis.password().isEmpty());
    assertTrue(redis.tls().isEmpty());
    assertEquals(RedisMode.MANAGED, redis.mode());
    assertTrue(redis.binary().isEmpty());
    assertEquals(Path.of("/var/lib/redis-ha/a/redis"), redis.dataDir());
    assertEquals(List.of(), redis.extraArgs());

    assertEquals(List.of(new PeerConfig("b", new HostPort("10.0.0.2", 7400),
        new HostPort("10.0.0.2", 6379), Optional.empty())), c.peers());

    CoordinationConfig coordination = c.coordination();
    assertEquals(new HostPort("0.0.0.0", 7400), coordination.listen());
    assertEquals(KEY, new String(coordination.key().bytes(), StandardCharsets.UTF_8));
    assertEquals("file " + dir.resolve("key.txt"), coordination.key().origin());
    assertEquals(100, coordination.advertIntervalMs());
    assertEquals(3, coordination.downAfterAdverts());
    assertTrue(coordination.preempt());
    assertEquals(1000, coordination.preemptDelayMs());
    assertEquals(60_000, coordination.flapWindowMs());
    assertEquals(3, coordination.flapMaxFaults());
    assertEquals(1500, coordination.bootstrapWaitMs());

    assertEquals(new HealthConfig(50, 200, 3), c.health());
    assertEquals(new PersistencePolicy("900 1 300 10 60 10000", false, "everysec"),
        c.persistence());
    assertEquals(new FailoverConfig(2000, 1_048_576), c.failover());
    assertEquals(new HooksConfig(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), 5000), c.hooks());
    assertEquals(new HostPort("127.0.0.1", 7480), c.api().listen());
    assertTrue(c.api().token().isEmpty());
  }

  @Test
  void exampleConfigsLoadAndPointAtEachOther() throws Exception {
    NodeConfig a = ConfigLoader.load(Path.of("examples", "node-a.yaml"));
    NodeConfig b = ConfigLoader.load(Path.of("examples", "node-b.yaml"));

    assertEquals("demo", a.group());
    assertEquals("demo", b.group());
    assertEquals(150, a.priority());
    assertEquals(100, b.priority());
    assertEquals(RedisMode.MANAGED, a.redis().mode());
    assertEquals(Path.of("examples", "state", "a").toAbsolutePath(), a.stateDir());
    assertEquals(new HostPort("127.0.0.1", 6380), a.redis().address());
    assertEquals(new HostPort("127.0.0.1", 6381), b.redis().address());
    assertEquals(List.of(new PeerConfig("b", b.coordination().listen(), b.redis().address(),
        Optional.of(b.api().listen()))), a.peers());
    assertEquals(List.of(new PeerConfig("a", a.coordination().listen(), a.redis().address(),
        Optional.of(a.api().listen()))), b.peers());
    assertEquals(new HostPort("127.0.0.1", 7401), a.coordination().listen());
    assertEquals(new HostPort("127.0.0.1", 7481), a.api().listen());
    assertArrayEquals(a.coordination().key().bytes(), b.coordination().key().bytes());
  }

  @Test
  void eachMissingRequiredFieldIsNamed() throws Exception {
    ConfigException e = failing("priority: 10\n");

    assertProblem(e, "group", "is required; expected a name of 1 to 63 characters");
    assertProblem(e, "node_id", "is required");
    assertProblem(e, "peers", "is required; expected a list of the group's other agents");
    assertProblem(e, "coordination.key_file", "is required (or coordination.key_env instead)");
    assertEquals(4, e.problems().size(), e.getMessage());
  }

  @Test
  void missingPeerFieldsAreNamedWithTheirListIndex() throws Exception {
    ConfigException e = failing("""
        group: g1
        node_id: a
        peers:
          - node_id: b
            advert_address: 10.0.0.2:7400
            redis: 10.0.0.2:6379
          - node_id: c
        """ + COORDINATION);

    assertProblem(e, "peers[1].advert_address", "is required; expected \"host:port\"");
    assertProblem(e, "peers[1].redis", "is required");
    assertEquals(2, e.problems().size(), e.getMessage());
  }

  @Test
  void aSectionThatIsNotAMappingIsReportedOnceNotFieldByField() throws Exception {
    ConfigException e = failing("""
        group: g1
        node_id: a
        peers: [b]
        coordination: 5
        health:
          timeout_ms: 500
        """);

    assertProblem(e, "peers[0]", "must be a mapping of fields, got \"b\"");
    assertProblem(e, "coordination", "must be a mapping of fields, got 5");
    assertEquals(2, e.problems().size(), e.getMessage());
  }

  @Test
  void wrongTypeNamesTheExpectedTypeAndShowsTheBadValue() throws Exception {
    ConfigException e = failing(TOP + """
        coordination:
          key_file: key.txt
          advert_interval_ms: fast
          preempt: maybe
        redis: 6379
        """);

    assertLine(e, "coordination.advert_interval_ms: must be an integer between 10 and 10000,"
        + " got \"fast\"");
    assertProblem(e, "coordination.preempt", "must be true or false, got \"maybe\"");
    assertProblem(e, "redis", "must be a mapping of fields, got 6379");
  }

  @Test
  void numbersWhereStringsBelongGetAHintToQuoteThem() throws Exception {
    ConfigException e = failing(TOP.replace("node_id: a", "node_id: 7") + COORDINATION);

    assertProblem(e, "node_id", "got 7 (quote it to make it a string)");
  }

  @Test
  void quotedNumbersGetAHintToRemoveTheQuotes() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + "priority: \"120\"\n");

    assertProblem(e, "priority", "got \"120\" (a quoted string; remove the quotes)");
  }

  @Test
  void outOfRangeValuesNameTheAllowedRange() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + """
        priority: 0
        redis:
          port: 70000
        failover:
          max_catch_up_lag_bytes: -1
        """);

    assertProblem(e, "priority", "must be an integer between 1 and 255, got 0");
    assertProblem(e, "redis.port", "must be an integer between 1 and 65535, got 70000");
    assertProblem(e, "failover.max_catch_up_lag_bytes",
        "must be an integer of at least 0, got -1");
  }

  @Test
  void badNamesAreRejected() throws Exception {
    ConfigException e = failing(TOP.replace("group: g1", "group: Demo Group") + COORDINATION);

    assertProblem(e, "group", "must be a name of 1 to 63 characters from a-z, 0-9, '_' and '-',"
        + " starting with a letter or digit, got \"Demo Group\"");
  }

  @Test
  void unknownFieldsAreErrorsThatSuggestTheClosestKnownField() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + """
        prority: 120
        nodeId: x
        redis:
          prot: 6380
        colour: blue
        """);

    assertProblem(e, "prority", "unknown field; did you mean priority?");
    assertProblem(e, "nodeId", "unknown field; did you mean node_id?");
    assertProblem(e, "redis.prot", "unknown field; did you mean redis.port?");
    assertProblem(e, "colour", "unknown field; known fields here: group, node_id, priority");
  }

  @Test
  void bothPasswordFileAndPasswordEnvAreRejected() throws Exception {
    Files.writeString(dir.resolve("redis.pass"), PASSWORD);

    ConfigException e = failing(TOP + COORDINATION + """
        redis:
          password_file: redis.pass
          password_env: REDIS_PASSWORD
        """);

    assertProblem(e, "redis.password_env", "conflicts with redis.password_file; set only one");
  }

  @Test
  void passwordFromEnvironmentNamesItsOrigin() throws Exception {
    NodeConfig c = load(TOP + COORDINATION + "redis:\n  password_env: REDIS_PASSWORD\n");

    assertEquals(PASSWORD, c.redis().password().orElseThrow().text());
    assertEquals("env REDIS_PASSWORD", c.redis().password().orElseThrow().origin());
  }

  @Test
  void unsetOrEmptyEnvironmentVariablesAreNamed() throws Exception {
    ConfigException e = failing(TOP + """
        coordination:
          key_env: EMPTY
        redis:
          password_env: NOT_SET
        """);

    assertProblem(e, "coordination.key_env",
        "environment variable EMPTY must be set and non-empty");
    assertProblem(e, "redis.password_env", "environment variable NOT_SET must be set");
  }

  @Test
  void missingKeyFileIsNamedWithItsPath() throws Exception {
    Files.delete(dir.resolve("key.txt"));

    ConfigException e = failing(TOP + COORDINATION);

    assertProblem(e, "coordination.key_file",
        "must be the path of a readable file, but " + dir.resolve("key.txt") + " does not exist");
  }

  @Test
  void keyShorterThan16BytesIsRejectedWithItsLength() throws Exception {
    Files.writeString(dir.resolve("key.txt"), "short-key\n");

    ConfigException e = failing(TOP + COORDINATION);

    assertProblem(e, "coordination.key_file", "the key must be at least 16 bytes, got 9");
  }

  @Test
  void keyFromTheEnvironmentIsReadAndChecked() throws Exception {
    env = Map.of("GROUP_KEY", KEY, "SHORT_KEY", "abc");
    String config = TOP + "coordination:\n  key_env: GROUP_KEY\n";

    assertEquals("env GROUP_KEY", load(config).coordination().key().origin());
    assertProblem(failing(config.replace("GROUP_KEY", "SHORT_KEY")), "coordination.key_env",
        "at least 16 bytes, got 3");
  }

  @Test
  void trailingNewlinesOfASecretFileAreNotPartOfTheSecret() throws Exception {
    Files.writeString(dir.resolve("key.txt"), KEY + "\r\n\n");

    assertEquals(KEY.length(), load(TOP + COORDINATION).coordination().key().bytes().length);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.0.0.2        | the port is missing",
      "10.0.0.2:0      | the port must be a number between 1 and 65535",
      "10.0.0.2:http   | the port must be a number between 1 and 65535",
      ":7400           | the host is empty",
      "::1:7400        | an IPv6 address needs brackets, as in [::1]:7000",
      "my host:7400    | the host may only contain letters",
      "999.1.1.1:7400  | \"999.1.1.1\" is not an IPv4 address",
  })
  void badHostPortsAreExplained(String address, String reason) throws Exception {
    ConfigException e = failing(TOP.replace("10.0.0.2:7400", "\"" + address + "\"") + COORDINATION);

    assertProblem(e, "peers[0].advert_address", "must be \"host:port\" of the UDP address that"
        + " agent listens on for adverts (" + reason);
    assertProblem(e, "peers[0].advert_address", "got \"" + address + "\"");
  }

  @Test
  void ipv6AddressesInBracketsAreAccepted() throws Exception {
    NodeConfig c = load(TOP.replace("10.0.0.2:7400", "\"[fd00::2]:7400\"") + """
        coordination:
          key_file: key.txt
          listen: "[::]:7400"
        """);

    assertEquals(new HostPort("fd00::2", 7400), c.peers().get(0).advert());
    assertEquals(new HostPort("::", 7400), c.coordination().listen());
  }

  @Test
  void duplicatePeerIdsAreRejected() throws Exception {
    ConfigException e = failing("""
        group: g1
        node_id: a
        peers:
          - {node_id: b, advert_address: "10.0.0.2:7400", redis: "10.0.0.2:6379"}
          - {node_id: b, advert_address: "10.0.0.3:7400", redis: "10.0.0.3:6379"}
        """ + COORDINATION);

    assertProblem(e, "peers[1].node_id", "duplicates peers[0].node_id \"b\"");
  }

  @Test
  void aPeerWithTheNodesOwnIdIsRejected() throws Exception {
    ConfigException e = failing(TOP.replace("- node_id: b", "- node_id: a") + COORDINATION);

    assertProblem(e, "peers[0].node_id", "must differ from node_id \"a\"");
  }

  @Test
  void anEmptyPeerListIsRejected() throws Exception {
    ConfigException e = failing("group: g1\nnode_id: a\npeers: []\n" + COORDINATION);

    assertProblem(e, "peers", "must list at least one other agent of the group");
  }

  @Test
  void extraArgsMustBeOptionsThatNeitherCarrySecretsNorOverrideTheAgent() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + """
        redis:
          extra_args:
            - maxmemory 64mb
            - --requirepass %s
            - --port 7000
            - --replicaof 10.0.0.9 6379
            - --maxmemory-policy noeviction
            - 5
        """.formatted(PASSWORD));

    assertProblem(e, "redis.extra_args[0]", "must be one \"--name value\" option starting with"
        + " \"--\", got \"maxmemory 64mb\"");
    assertProblem(e, "redis.extra_args[1]", "--requirepass would put a secret on the command line");
    assertProblem(e, "redis.extra_args[1]", "use redis.password_file or redis.password_env");
    assertProblem(e, "redis.extra_args[2]", "--port is set by the agent");
    assertProblem(e, "redis.extra_args[3]", "--replicaof is set by the agent");
    assertProblem(e, "redis.extra_args[5]", "must be a string, got 5");
    assertEquals(5, e.problems().size(), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
  }

  @Test
  void healthTimeoutMustBeBelowTheCoordinationDownTime() throws Exception {
    ConfigException e = failing(TOP + """
        coordination:
          key_file: key.txt
          advert_interval_ms: 100
          down_after_adverts: 3
        health:
          timeout_ms: 300
        """);

    assertProblem(e, "health.timeout_ms", "must be less than the coordination down time"
        + " coordination.advert_interval_ms * coordination.down_after_adverts = 300 ms, got 300");
  }

  @Test
  void busyLimitsAreReadAndTheShutdownMustComeAfterTheKill() throws Exception {
    NodeConfig c = load(TOP + COORDINATION + """
        health:
          busy_kill_after_ms: 1000
          busy_shutdown_after_ms: 3000
        """);
    assertEquals(new HealthConfig(50, 200, 3, 1000, 3000), c.health());

    ConfigException e = failing(TOP + COORDINATION + """
        health:
          busy_kill_after_ms: 4000
          busy_shutdown_after_ms: 2000
        """);
    assertProblem(e, "health.busy_shutdown_after_ms", "must be greater than health.busy_kill_after_ms = 4000 ms"
        + " (the agent tries SCRIPT KILL before it shuts a busy master down), got 2000");
    assertProblem(failing(TOP + COORDINATION + "health:\n  busy_kill_after_ms: soon\n"),
        "health.busy_kill_after_ms", "got");
  }

  @Test
  void yamlSyntaxErrorNamesTheFileAndLine() throws Exception {
    ConfigException e = failing("group: g1\nnode_id: a\n  priority: 5\n");

    assertEquals(1, e.problems().size());
    assertEquals("", e.problems().get(0).field());
    assertTrue(e.getMessage().startsWith(dir.resolve("node.yaml") + ": YAML syntax error at"
        + " line 3, column 11: mapping values are not allowed here"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void aKeyWrittenTwiceIsAnErrorNamingTheLine() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + "priority: 1\npriority: 2\n");

    assertTrue(e.getMessage().contains("node.yaml: YAML error at line 10"), e.getMessage());
    assertTrue(e.getMessage().contains("key 'priority' appears twice"), e.getMessage());
  }

  @Test
  void emptyOrMissingFilesAreReported() throws Exception {
    assertTrue(failing("# nothing yet\n").getMessage().endsWith("node.yaml: the file is empty;"
        + " expected a YAML mapping with at least group, node_id, peers and"
        + " coordination.key_file"));
    ConfigException missing = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(dir.resolve("absent.yaml"), env));
    assertEquals(dir.resolve("absent.yaml") + ": cannot read the config file: it does not exist",
        missing.getMessage());
  }

  @Test
  void allProblemsAreReportedAtOnceOnePerLine() throws Exception {
    ConfigException e = failing("""
        group: g1
        node_id: a
        priority: 300
        peers:
          - node_id: a
            advert_address: nowhere
            redis: 10.0.0.2:6379
        coordination:
          key_file: missing.key
        persistence:
          appendfsync: sometimes
        api:
          listen: 127.0.0.1
        """);

    List<String> lines = e.getMessage().lines().collect(Collectors.toList());
    assertEquals(6, e.problems().size(), e.getMessage());
    assertEquals(6, lines.size());
    assertProblem(e, "priority", "between 1 and 255");
    assertProblem(e, "peers[0].node_id", "must differ from node_id");
    assertProblem(e, "peers[0].advert_address", "the port is missing");
    assertProblem(e, "coordination.key_file", "does not exist");
    assertProblem(e, "persistence.appendfsync", "must be one of always, everysec, no");
    assertProblem(e, "api.listen", "the port is missing");
  }

  @Test
  void secretValuesNeverAppearInMessagesOrInTheConfig() throws Exception {
    Files.writeString(dir.resolve("api.token"), PASSWORD + "-token");
    String good = TOP + COORDINATION + """
        redis:
          password_env: REDIS_PASSWORD
        api:
          token_file: api.token
        """;
    NodeConfig c = load(good);
    assertNoSecretIn(c.toString());
    assertTrue(c.toString().contains("<secret from env REDIS_PASSWORD>"), c.toString());

    List<String> mistakes = List.of(
        good + "priority: 1000\n",
        TOP + COORDINATION + "redis:\n  password: " + PASSWORD + "\n",
        TOP + COORDINATION + "redis:\n  password_env: " + PASSWORD + "\n",
        TOP + COORDINATION + "redis:\n  password_file: 1234567890\n",
        TOP + COORDINATION + "api:\n  token_env: [" + PASSWORD + "]\n",
        TOP + COORDINATION + "redis:\n  extra_args: [\"--masterauth " + PASSWORD + "\"]\n");
    for (String mistake : mistakes) {
      assertNoSecretIn(failing(mistake).getMessage());
    }
    ConfigException inline = failing(mistakes.get(1));
    assertProblem(inline, "redis.password", "unknown field; secrets are never written in the"
        + " config file: use redis.password_file or redis.password_env");
    assertFalse(failing(mistakes.get(3)).getMessage().contains("1234567890"));

    Files.writeString(dir.resolve("key.txt"), "tooShortSecret");
    ConfigException shortKey = failing(good);
    assertFalse(shortKey.getMessage().contains("tooShortSecret"), shortKey.getMessage());
  }

  @Test
  void relativePathsResolveAgainstTheConfigFilesDirectory() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("group.key"), KEY);
    Files.writeString(conf.resolve("node.yaml"), TOP + """
        state_dir: state
        coordination:
          key_file: group.key
        """);

    NodeConfig c = ConfigLoader.load(conf.resolve("node.yaml"), env);

    assertEquals(conf.resolve("state"), c.stateDir());
    assertEquals(conf.resolve("state/redis"), c.redis().dataDir());
    assertEquals("file " + conf.resolve("group.key"), c.coordination().key().origin());
  }

  @Test
  void zookeeperBackendIsNotAvailableYet() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + "  backend: zookeeper\n");

    assertProblem(e, "coordination.backend", "not available yet; use peer");
  }

  @Test
  void unknownBackendNamesTheFieldAndTheAcceptedValue() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + "  backend: etcd\n");

    assertProblem(e, "coordination.backend", "must be \"peer\" (the only backend so far), got");
  }

  @Test
  void backendDefaultsToPeer() throws Exception {
    assertEquals(CoordinationConfig.Backend.PEER, load(TOP + COORDINATION).coordination().backend());
  }

  @Test
  void persistenceMustKeepSomethingOnDisk() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + """
        persistence:
          save: ""
          appendonly: false
        """);

    assertLine(e, "persistence: replicas must persist something: set persistence.save or"
        + " persistence.appendonly");
  }

  @Test
  void aofAloneIsEnoughPersistenceAndABareNoMeansNoFsync() throws Exception {
    NodeConfig c = load(TOP + COORDINATION + """
        persistence:
          save: ""
          appendonly: yes
          appendfsync: no
        """);

    assertEquals(new PersistencePolicy("", true, "no"), c.persistence());
  }

  @Test
  void savePointsMustBePairsOfPositiveIntegers() throws Exception {
    assertProblem(failing(TOP + COORDINATION + "persistence:\n  save: \"900 1 300\"\n"),
        "persistence.save", "must be pairs of positive integers");
    assertProblem(failing(TOP + COORDINATION + "persistence:\n  save: \"900 0\"\n"),
        "persistence.save", "got \"900 0\"");
    assertEquals("3600 1 60 100",
        load(TOP + COORDINATION + "persistence:\n  save: \" 3600 1   60 100 \"\n")
            .persistence().save());
  }

  @Test
  void hookScriptsMustExistAndBeExecutable() throws Exception {
    Path plain = Files.writeString(dir.resolve("plain.sh"), "#!/bin/sh\n");
    Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

    ConfigException e = failing(TOP + COORDINATION + """
        hooks:
          notify_master: missing.sh
          notify_backup: plain.sh
          notify_fault: script.sh
        """);

    assertProblem(e, "hooks.notify_master", "must be the path of an executable script, but "
        + dir.resolve("missing.sh") + " does not exist");
    assertProblem(e, "hooks.notify_backup", plain + " is not executable");
    assertEquals(2, e.problems().size(), e.getMessage());
  }

  @Test
  void binaryAndExtraArgsAreOnlyForManagedMode() throws Exception {
    Path binary = Files.writeString(dir.resolve("redis-server"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));

    ConfigException e = failing(TOP + COORDINATION + """
        redis:
          mode: external
          binary: redis-server
          extra_args: ["--maxmemory 1gb"]
        """);

    assertProblem(e, "redis.binary", "is only used when redis.mode is managed");
    assertProblem(e, "redis.extra_args", "is only used when redis.mode is managed");
    assertEquals(binary, load(TOP + COORDINATION + "redis:\n  binary: redis-server\n")
        .redis().binary().orElseThrow());
  }

  @Test
  void tlsNeedsACaFileAndACertificateOnlyWithItsKey() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");
    Files.writeString(dir.resolve("client.pem"), "cert");

    ConfigException e = failing(TOP + COORDINATION + """
        redis:
          tls:
            cert_file: client.pem
        """);
    assertProblem(e, "redis.tls.ca_file", "is required with tls");
    assertProblem(e, "redis.tls.key_file", "is required when redis.tls.cert_file is set");

    NodeConfig c = load(TOP + COORDINATION + "redis:\n  mode: external\n  tls:\n    ca_file: ca.pem\n");
    assertEquals(new TlsConfig(ca, Optional.empty(), Optional.empty()),
        c.redis().tls().orElseThrow());
  }

  @Test
  void managedTlsNeedsTheServersCertificate() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "ca");

    ConfigException e = failing(TOP + COORDINATION + "redis:\n  mode: managed\n  tls:\n    ca_file: ca.pem\n");

    assertProblem(e, "redis.tls.cert_file", "is required with tls when redis.mode is managed");
  }

  @Test
  void bootstrapWaitFollowsTheAdvertSettingsUpToItsMaximum() throws Exception {
    NodeConfig c = load(TOP + """
        coordination:
          key_file: key.txt
          advert_interval_ms: 200
          down_after_adverts: 4
        """);
    assertEquals(4000, c.coordination().bootstrapWaitMs());

    NodeConfig slow = load(TOP + """
        coordination:
          key_file: key.txt
          advert_interval_ms: 10000
          down_after_adverts: 100
        """);
    assertEquals(600_000, slow.coordination().bootstrapWaitMs());
  }

  @Test
  void announceAddressDefaultsToTheRedisAddressAndCanBeSetApart() throws Exception {
    NodeConfig c = load(TOP + COORDINATION + """
        redis:
          host: 0.0.0.0
          port: 6390
          announce_host: redis-a.example
        """);

    assertEquals(new HostPort("0.0.0.0", 6390), c.redis().address());
    assertEquals(new HostPort("redis-a.example", 6390), c.redis().announce());
  }

  @Test
  void aWildcardRedisHostNeedsAnAnnounceAddressPeersCanReach() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + "redis:\n  host: 0.0.0.0\n");

    assertProblem(e, "redis.announce_host", "is required when redis.host is the wildcard address"
        + " \"0.0.0.0\"; expected the address peers and replicas use to reach this Redis");
  }

  @Test
  void endpointsAreReadWithTheirDefaults() throws Exception {
    NodeConfig c = load(TOP + COORDINATION + """
        endpoints:
          vip:
            address: 198.18.0.100/24
            interface: eth0
          proxy:
            listen: 127.0.0.1:6390
          sentinel:
            listen: 127.0.0.1:26390
            peers: ["b 10.0.0.2:26379"]
        """);

    EndpointsConfig e = c.endpoints();
    assertEquals(new EndpointsConfig.Vip("198.18.0.100", 24, "eth0", 5, 300), e.vip().orElseThrow());
    assertEquals(new EndpointsConfig.Proxy(new HostPort("127.0.0.1", 6390), 2000, "auto"), e.proxy().orElseThrow());
    EndpointsConfig.Sentinel s = e.sentinel().orElseThrow();
    assertEquals("g1", s.masterName(), "the master name defaults to the group");
    assertEquals(Map.of("b", new HostPort("10.0.0.2", 26379)), s.peers());
  }

  @Test
  void proxyTransportIsChosenByName() throws Exception {
    NodeConfig c = load(TOP + COORDINATION + """
        endpoints:
          proxy:
            listen: 127.0.0.1:6390
            transport: epoll
        """);

    assertEquals("epoll", c.endpoints().proxy().orElseThrow().transport());
  }

  @Test
  void proxyClientTimeoutsHaveDefaultsAndAreChecked() throws Exception {
    NodeConfig defaults = load(TOP + COORDINATION + """
        endpoints:
          proxy:
            listen: 127.0.0.1:6390
        """);
    assertEquals(10_000, defaults.endpoints().proxy().orElseThrow().unauthenticatedTimeoutMs());
    assertEquals(0, defaults.endpoints().proxy().orElseThrow().idleTimeoutMs());

    NodeConfig set = load(TOP + COORDINATION + """
        endpoints:
          proxy:
            listen: 127.0.0.1:6390
            unauthenticated_timeout_ms: 3000
            idle_timeout_ms: 600000
        """);
    assertEquals(3000, set.endpoints().proxy().orElseThrow().unauthenticatedTimeoutMs());
    assertEquals(600_000, set.endpoints().proxy().orElseThrow().idleTimeoutMs());

    ConfigException e = failing(TOP + COORDINATION + """
        endpoints:
          proxy:
            listen: 127.0.0.1:6390
            unauthenticated_timeout_ms: -1
        """);
    assertProblem(e, "endpoints.proxy.unauthenticated_timeout_ms", "must be an integer between 0 and 3600000, got -1");
  }

  @Test
  void badEndpointValuesAreNamed() throws Exception {
    ConfigException e = failing(TOP + COORDINATION + """
        endpoints:
          vip:
            address: 198.18.0.300/24
            interface: eth0
          proxy:
            listen: 127.0.0.1:6390
            transport: fastest
          sentinel:
            peers: ["b-without-address"]
        """);

    assertProblem(e, "endpoints.vip.address", "must be an IPv4 address with its prefix length");
    assertProblem(e, "endpoints.proxy.transport", "must be one of auto, io_uring, epoll, nio, got \"fastest\"");
    assertProblem(e, "endpoints.sentinel.peers[0]", "must be \"<node_id> <host>:<port>\"");
  }

  @Test
  void twoListenersOfOneNodeOnOnePortAreRejectedNamingBoth() throws Exception {
    ConfigException onApi = failing(TOP + COORDINATION + """
        api:
          listen: 127.0.0.1:7480
        endpoints:
          proxy:
            listen: 0.0.0.0:7480
        """);
    assertLine(onApi, "endpoints.proxy.listen: 0.0.0.0:7480 (the proxy) overlaps api.listen"
        + " 127.0.0.1:7480 (the HTTP API): two listeners of one node cannot share a port;"
        + " give one of them another port");

    ConfigException onRedis = failing(TOP + COORDINATION + """
        endpoints:
          sentinel:
            listen: localhost:6379
        """);
    assertProblem(onRedis, "endpoints.sentinel.listen",
        "localhost:6379 (the Sentinel endpoint) overlaps redis.port 127.0.0.1:6379 (this node's Redis)");
  }

  @Test
  void listenersOnOtherAddressesOrOverUdpDoNotConflict() throws Exception {
    NodeConfig c = load(TOP + """
        coordination:
          key_file: key.txt
          listen: 127.0.0.1:7480
        api:
          listen: 127.0.0.1:7480
        endpoints:
          proxy:
            listen: 127.0.0.2:6379
        """);

    assertEquals(7480, c.coordination().listen().port());
    assertEquals(new HostPort("127.0.0.2", 6379), c.endpoints().proxy().orElseThrow().listen());
  }

  @Test
  void apiTlsAndReadTokenAreReadAndCheckedAtLoad() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.redisha.testsupport.TestCertificates.opensslPresent(),
        "openssl is needed to make the test certificates");
    TlsConfig files = dev.redisha.testsupport.TestCertificates.forLoopback(dir.resolve("tls"));
    Files.writeString(dir.resolve("api.token"), "write-token-1");
    Files.writeString(dir.resolve("read.token"), "read-token-1");
    String api = "api:\n  token_file: api.token\n  read_token_file: read.token\n  tls:\n"
        + "    cert_file: tls/node.crt\n    key_file: tls/node.key\n    ca_file: tls/ca.crt\n";
    NodeConfig c = load(TOP + COORDINATION + api);
    assertEquals("https", c.api().scheme());
    assertEquals(files.certFile().get(), c.api().tls().get().certFile());
    assertEquals("read-token-1", c.api().readToken().get().text());

    // The key of another certificate (the CA's) is refused before anything listens.
    ConfigException wrongKey = failing(TOP + COORDINATION + api.replace("tls/node.key", "tls/ca.key"));
    assertProblem(wrongKey, "api.tls.key_file", "is not the private key of the first certificate");
    ConfigException noKey = failing(TOP + COORDINATION + api.replace("    key_file: tls/node.key\n", ""));
    assertProblem(noKey, "api.tls.key_file", "is required with api.tls");
    ConfigException notACert = failing(TOP + COORDINATION + api.replace("ca_file: tls/ca.crt", "ca_file: api.token"));
    assertProblem(notACert, "api.tls.ca_file", "must hold PEM CA certificates");

    Files.writeString(dir.resolve("read.token"), "write-token-1\n");
    ConfigException same = failing(TOP + COORDINATION + api);
    assertProblem(same, "api.read_token_file", "must differ from the write token");
    assertFalse(same.getMessage().contains("write-token-1"), same.getMessage());
  }

  private NodeConfig load(String yaml) throws Exception {
    return ConfigLoader.load(write(yaml), env);
  }

  private ConfigException failing(String yaml) throws IOException {
    Path file = write(yaml);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, env));
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("node.yaml"), yaml);
  }

  /** A problem for exactly this field with {@code expected} in its message, as "file: field:". */
  private void assertProblem(ConfigException e, String field, String expected) {
    for (ConfigProblem p : e.problems()) {
      if (p.field().equals(field) && p.message().contains(expected)) {
        assertEquals(dir.resolve("node.yaml"), p.file());
        assertTrue(e.getMessage().contains("node.yaml: " + field + ": "), e.getMessage());
        return;
      }
    }
    fail("no problem for " + field + " containing [" + expected + "] in:\n" + e.getMessage());
  }

  /** A whole line of the message, after the file name. */
  private void assertLine(ConfigException e, String line) {
    String full = dir.resolve("node.yaml") + ": " + line;
    assertTrue(e.getMessage().lines().anyMatch(full::equals), e.getMessage());
  }

  private static void assertNoSecretIn(String text) {
    assertFalse(text.contains(PASSWORD), text);
    assertFalse(text.contains(KEY), text);
  }
}
