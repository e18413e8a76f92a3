package dev.redisha.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads and validates one node's YAML config file (DESIGN §6). Every field is checked and every
 * problem is reported at once, each naming the file and the field's dotted path.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /** Loads {@code file}, reading secrets named by {@code *_env} fields from the environment. */
  public static NodeConfig load(Path file) throws ConfigException {
    return load(file, System.getenv());
  }

  /**
   * Loads {@code file} with {@code env} standing in for the process environment.
   *
   * @throws ConfigException listing every problem found
   */
  public static NodeConfig load(Path file, Map<String, String> env) throws ConfigException {
    return load(file, env, w -> {});
  }

  /**
   * Like {@link #load(Path, Map)}, handing each warning (a valid but unsafe setting, such as a
   * secret file others can read) to {@code warnings}, also when the config is invalid.
   */
  public static NodeConfig load(Path file, Map<String, String> env, Consumer<ConfigProblem> warnings)
      throws ConfigException {
    Problems problems = new Problems(file);
    try {
      return load(file, env, problems);
    } finally {
      problems.warnings().forEach(warnings);
    }
  }

  private static NodeConfig load(Path file, Map<String, String> env, Problems problems)
      throws ConfigException {
    Optional<ObjectNode> tree = YamlFile.read(file, problems);
    problems.throwIfAny();
    Path source = file.toAbsolutePath().normalize();
    Section root = new Section(problems, source.getParent(), "", tree.get());
    NodeConfig config = read(root, source, new Secrets(env));
    problems.throwIfAny();
    return config;
  }

  private static NodeConfig read(Section root, Path source, Secrets secrets) {
    Optional<String> group = Ids.read(root, "group");
    Optional<String> nodeId = Ids.read(root, "node_id");
    int priority = root.smallInteger("priority", 100, 1, 255);
    // Without a valid node_id the config is rejected anyway; "node" only keeps the reading going.
    Path stateDir = root.path("state_dir", "a directory path", true)
        .orElse(Path.of("/var/lib/redis-ha", nodeId.orElse("node")));
    RedisConfig redis = RedisReader.read(root.section("redis"), stateDir, secrets);
    List<PeerConfig> peers = PeersReader.read(root, nodeId);
    Section coordSection = root.section("coordination");
    CoordinationConfig coordination = CoordinationReader.read(coordSection, secrets);
    HealthConfig health =
        SectionReaders.health(root.section("health"), coordSection, coordination);
    PersistencePolicy persistence =
        SectionReaders.persistence(root.section("persistence"), root);
    FailoverConfig failover = SectionReaders.failover(root.section("failover"));
    HooksConfig hooks = SectionReaders.hooks(root.section("hooks"));
    ApiConfig api = SectionReaders.api(root.section("api"), secrets);
    EndpointsConfig endpoints = EndpointsReader.read(root.section("endpoints"), group.orElse(""));
    root.rejectUnknown();
    ListenerConflicts.check(root, listeners(redis, api, endpoints));
    return new NodeConfig(source, group.orElse(""), nodeId.orElse(""), priority, redis, peers,
        coordination, health, persistence, failover, hooks, api, stateDir, endpoints);
  }

  /** The node's TCP listeners, the one least likely to be moved (Redis) first. */
  private static List<ListenerConflicts.Listener> listeners(
      RedisConfig redis, ApiConfig api, EndpointsConfig endpoints) {
    List<ListenerConflicts.Listener> all = new ArrayList<>();
    // A managed Redis listens on every address when a VIP may arrive (see ManagedRedis).
    boolean everywhere = redis.mode() == RedisMode.MANAGED && endpoints.vip().isPresent();
    all.add(new ListenerConflicts.Listener("redis.port",
        everywhere ? "this node's Redis, on every address because of endpoints.vip" : "this node's Redis",
        everywhere ? new HostPort("0.0.0.0", redis.address().port()) : redis.address()));
    all.add(new ListenerConflicts.Listener("api.listen", "the HTTP API", api.listen()));
    endpoints.proxy().ifPresent(p ->
        all.add(new ListenerConflicts.Listener("endpoints.proxy.listen", "the proxy", p.listen())));
    endpoints.sentinel().ifPresent(s -> all.add(
        new ListenerConflicts.Listener("endpoints.sentinel.listen", "the Sentinel endpoint", s.listen())));
    return all;
  }
}
