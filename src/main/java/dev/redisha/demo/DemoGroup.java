package dev.redisha.demo;

import dev.redisha.redis.FreePorts;

import dev.redisha.config.ApiConfig;
import dev.redisha.config.CoordinationConfig;
import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.FailoverConfig;
import dev.redisha.config.HealthConfig;
import dev.redisha.config.HooksConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.config.PersistencePolicy;
import dev.redisha.config.RedisConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.config.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The demo's two nodes on loopback, like the seed's server11 (preferred master) and server12,
 * with free ports, a random password and key that exist only in memory, and a proxy endpoint on
 * node a's agent for the client.
 */
final class DemoGroup {
  final NodeConfig a;
  final NodeConfig b;
  final HostPort proxy;
  final Secret password;

  DemoGroup(Path dir) {
    SecureRandom random = new SecureRandom();
    byte[] k = new byte[32];
    random.nextBytes(k);
    Secret key = new Secret(HexFormat.of().formatHex(k).getBytes(StandardCharsets.UTF_8), "demo (generated)");
    byte[] p = new byte[16];
    random.nextBytes(p);
    password = new Secret(HexFormat.of().formatHex(p).getBytes(StandardCharsets.UTF_8), "demo (generated)");
    HostPort redisA = local(freeTcp());
    HostPort redisB = local(freeTcp());
    HostPort advertA = local(freeUdp());
    HostPort advertB = local(freeUdp());
    proxy = local(freeTcp());
    a = node(dir, "a", 150, redisA, advertA, new PeerConfig("b", advertB, redisB, Optional.empty()), key,
        new EndpointsConfig(Optional.empty(), Optional.of(new EndpointsConfig.Proxy(proxy, 5000)), Optional.empty()));
    b = node(dir, "b", 100, redisB, advertB, new PeerConfig("a", advertA, redisA, Optional.empty()), key,
        EndpointsConfig.none());
  }

  private NodeConfig node(Path dir, String id, int priority, HostPort redis, HostPort advert, PeerConfig peer,
      Secret key, EndpointsConfig endpoints) {
    Path state = dir.resolve(id);
    return new NodeConfig(dir.resolve(id + ".yaml"), "demo", id, priority,
        new RedisConfig(redis, redis, Optional.empty(), Optional.of(password), Optional.empty(), RedisMode.MANAGED,
            Optional.empty(), state.resolve("redis"), List.of()),
        List.of(peer),
        new CoordinationConfig(advert, key, 100, 3, true, 1000, 60_000, 3, 1500),
        new HealthConfig(50, 200, 3),
        new PersistencePolicy("2 1 300 10", false, "everysec"),
        new FailoverConfig(2000, 1 << 20),
        new HooksConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 5000),
        new ApiConfig(local(0), Optional.empty()),
        state,
        endpoints);
  }

  private static HostPort local(int port) {
    return new HostPort("127.0.0.1", port);
  }

  private static int freeTcp() {
    return FreePorts.tcp();
  }

  private static int freeUdp() {
    return FreePorts.udp();
  }
}
