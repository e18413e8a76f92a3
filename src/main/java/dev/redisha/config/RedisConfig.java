package dev.redisha.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The local Redis: where it listens, how to authenticate, and who starts it.
 *
 * @param address where the agent connects to its Redis
 * @param announce the address peers and replicas use to reach this Redis (defaults to address)
 * @param user ACL user name, empty for the default user
 * @param password read from password_file or password_env; empty when Redis has no auth
 * @param tls optional TLS settings
 * @param mode managed or external
 * @param binary path of redis-server for managed mode; empty means "system, else embedded"
 * @param dataDir working directory of a managed redis-server (dump/AOF files go here)
 * @param extraArgs extra "--name value" arguments for a managed redis-server
 */
public record RedisConfig(
    HostPort address,
    HostPort announce,
    Optional<String> user,
    Optional<Secret> password,
    Optional<TlsConfig> tls,
    RedisMode mode,
    Optional<Path> binary,
    Path dataDir,
    List<String> extraArgs) {

  public RedisConfig {
    extraArgs = List.copyOf(extraArgs);
  }
}
