package dev.redisha.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reads the "redis" section: the local Redis and how the agent reaches and runs it. */
final class RedisReader {
  private static final String HOST = "a host name or IP address";
  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::");

  private RedisReader() {}

  static RedisConfig read(Section redis, Path stateDir, Secrets secrets) {
    String host = host(redis, "host", "127.0.0.1");
    int port = redis.smallInteger("port", 6379, 1, 65535);
    String announceHost = host(redis, "announce_host", host);
    checkReachable(redis, host, announceHost);
    int announcePort = redis.smallInteger("announce_port", port, 1, 65535);
    Optional<String> user = user(redis);
    Optional<Secret> password = secrets.read(redis, "password", false, 1);
    Optional<TlsConfig> tls =
        redis.has("tls") ? Optional.of(tls(redis.section("tls"))) : Optional.empty();
    RedisMode mode = RedisMode.valueOf(redis
        .choice("mode", "managed", List.of("managed", "external"))
        .toUpperCase(Locale.ROOT));
    Optional<Path> binary = redis.file("binary", "the path of an executable redis-server", true);
    Path dataDir = redis.path("data_dir", "a directory path", true)
        .orElse(stateDir.resolve("redis"));
    List<String> extraArgs = redis.strings("extra_args", ExtraArgs::trouble);
    // In external mode someone else starts redis-server; these would be silently ignored.
    if (mode == RedisMode.EXTERNAL && redis.has("binary")) {
      managedOnly(redis, "binary");
    }
    if (mode == RedisMode.EXTERNAL && !extraArgs.isEmpty()) {
      managedOnly(redis, "extra_args");
    }
    // A managed server serves TLS with the node's own certificate.
    if (mode == RedisMode.MANAGED && tls.isPresent() && redis.has("tls")
        && !redis.section("tls").has("cert_file") && !redis.section("tls").has("key_file")) {
      redis.problem("tls.cert_file", "is required with tls when redis.mode is managed: the agent starts"
          + " redis-server with it (and tls.key_file) as the server's certificate");
    }
    redis.rejectUnknown();
    return new RedisConfig(new HostPort(host, port), new HostPort(announceHost, announcePort),
        user, password, tls, mode, binary, dataDir, extraArgs);
  }

  private static String host(Section redis, String name, String fallback) {
    Optional<String> host = redis.text(name, HOST);
    if (host.isEmpty()) {
      return fallback;
    }
    Optional<String> trouble = HostPort.hostProblem(host.get());
    if (trouble.isPresent()) {
      redis.problem(name, "must be " + HOST + " (" + trouble.get() + "), got "
          + Values.show(host.get()));
      return fallback;
    }
    return host.get();
  }

  // A wildcard means "every interface" to a server; peers and replicas cannot connect to it.
  private static void checkReachable(Section redis, String host, String announceHost) {
    if (!WILDCARDS.contains(announceHost) || redis.concerns("announce_host")) {
      return;
    }
    String expected = "the address peers and replicas use to reach this Redis";
    if (redis.has("announce_host")) {
      redis.problem("announce_host", "must be " + expected + ", not a wildcard address, got "
          + Values.show(announceHost));
    } else {
      redis.problem("announce_host", "is required when redis.host is the wildcard address "
          + Values.show(host) + "; expected " + expected);
    }
  }

  private static Optional<String> user(Section redis) {
    String expected = "an ACL user name without spaces";
    Optional<String> user = redis.text("user", expected);
    if (user.isPresent()
        && (user.get().isEmpty() || user.get().chars().anyMatch(Character::isWhitespace))) {
      redis.problem("user", "must be " + expected + ", got " + Values.show(user.get()));
      return Optional.empty();
    }
    return user;
  }

  private static TlsConfig tls(Section tls) {
    Optional<Path> ca = tls.file("ca_file", "the path of a readable CA certificate file", false);
    if (!tls.has("ca_file")) {
      tls.problem("ca_file", "is required with tls; expected the path of the CA certificate file");
    }
    Optional<Path> cert = tls.file("cert_file", "the path of a readable certificate file", false);
    Optional<Path> key = tls.file("key_file", "the path of a readable private key file", false);
    key.ifPresent(k -> tls.warnIfOthersCanRead("key_file", k));
    // A client certificate is useless without its key and the other way round.
    if (tls.has("cert_file") != tls.has("key_file")) {
      String missing = tls.has("cert_file") ? "key_file" : "cert_file";
      String present = tls.has("cert_file") ? "cert_file" : "key_file";
      tls.problem(missing, "is required when " + tls.field(present)
          + " is set (a client certificate and its key go together)");
    }
    tls.rejectUnknown();
    return new TlsConfig(ca.orElse(Path.of("")), cert, key);
  }

  private static void managedOnly(Section redis, String name) {
    redis.problem(name, "is only used when redis.mode is managed; remove it or set"
        + " redis.mode: managed");
  }
}
