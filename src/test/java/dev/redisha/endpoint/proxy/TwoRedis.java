package dev.redisha.endpoint.proxy;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.endpoint.MasterView;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
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
import java.util.stream.Stream;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Two password-protected redis-servers on loopback, B a replica of A. Closing kills both, by PID,
 * whatever state the test left them in.
 */
final class TwoRedis implements AutoCloseable {
  static final String PASSWORD = "proxy-test-password";
  static final Secret SECRET = new Secret(PASSWORD.getBytes(StandardCharsets.UTF_8), "test");

  final HostPort a;
  final HostPort b;
  private final List<RedisServerProcess> processes = new ArrayList<>();

  TwoRedis(Path dir) {
    a = new HostPort("127.0.0.1", freePort());
    b = new HostPort("127.0.0.1", freePort());
    try {
      Path binary = RedisBinary.locate(Optional.empty());
      for (HostPort hp : List.of(a, b)) {
        RedisLaunch launch = new RedisLaunch(hp, dir.resolve("redis-" + hp.port()), Optional.of(SECRET),
            Optional.empty(), Optional.empty(), List.of("--repl-diskless-sync-delay", "0"));
        processes.add(RedisServerProcess.start(binary, launch));
      }
      for (HostPort hp : List.of(a, b)) {
        Await.until("redis on " + hp + " answers", Duration.ofSeconds(10), () -> answers(hp));
      }
      try (Jedis j = direct(b)) {
        j.replicaof(a.host(), a.port());
      }
      Await.until("B replicates A", Duration.ofSeconds(10), () -> linkUp(b));
      // Redis streams to (and FAILOVER accepts) a freshly synced replica only once it has sent its
      // first acknowledgement, up to a second after its link is up.
      Await.until("A sees B online", Duration.ofSeconds(10), () -> {
        try (Jedis j = direct(a)) {
          return j.info("replication").contains("state=online");
        }
      });
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  static int freePort() {
    return dev.redisha.redis.FreePorts.tcp();
  }

  /** An authenticated connection straight to one server, bypassing the proxy. */
  static Jedis direct(HostPort hp) {
    return new Jedis(new HostAndPort(hp.host(), hp.port()),
        DefaultJedisClientConfig.builder().password(PASSWORD).socketTimeoutMillis(5000).build());
  }

  static MasterView masterIs(HostPort master, long epoch) {
    return new MasterView(epoch, Optional.of("node-" + master.port()), Optional.of(master), List.of(), false);
  }

  static String role(HostPort hp) {
    try (Jedis j = direct(hp)) {
      return text(j.role().get(0));
    } catch (RuntimeException e) {
      return "unreachable";
    }
  }

  /** Jedis hands back RESP bulk strings as byte[] or String depending on the command. */
  static String text(Object reply) {
    return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
  }

  private static boolean answers(HostPort hp) {
    try (Jedis j = direct(hp)) {
      return "PONG".equals(j.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean linkUp(HostPort replica) {
    try (Jedis j = direct(replica)) {
      return j.info("replication").contains("master_link_status:up");
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    for (RedisServerProcess p : processes) {
      p.kill();
      // For the test report: what each server did (its log holds no passwords).
      Path log = p.launch().dataDir().resolve("redis.log");
      try (Stream<String> lines = Files.lines(log)) {
        List<String> all = lines.toList();
        all.subList(Math.max(0, all.size() - 25), all.size())
            .forEach(l -> System.out.println("redis " + p.launch().listen().port() + ": " + l));
      } catch (IOException | UncheckedIOException e) {
        System.out.println("redis " + p.launch().listen().port() + ": no log (" + e + ")");
      }
    }
  }
}
