package dev.redisha.it;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisControl;
import dev.redisha.redis.RedisInfo;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The peer that failover figures are compared with: a plain master/replica pair of redis-servers
 * watched by one Redis Sentinel (quorum 1), all on loopback with random free ports. Closing it
 * kills all three processes by PID.
 *
 * <p>The data servers get their config (with the password) on standard input, as the agents start
 * theirs; Sentinel needs a config file it can rewrite, so that file is created 0600 inside the
 * caller's directory. No password ever appears on a command line.
 */
final class SentinelPair implements AutoCloseable {
  static final String MASTER_NAME = "mymaster";

  final HostPort master;
  final HostPort replica;
  final HostPort sentinel;
  private final Secret password;
  private final Path dir;
  private RedisServerProcess masterProcess;
  private RedisServerProcess replicaProcess;
  private Process sentinelProcess;

  private SentinelPair(Path dir, Secret password) {
    this.dir = dir;
    this.password = password;
    this.master = TestGroup.loopback(TestGroup.freeTcpPort());
    this.replica = TestGroup.loopback(TestGroup.freeTcpPort());
    this.sentinel = TestGroup.loopback(TestGroup.freeTcpPort());
  }

  /**
   * Starts the master and its replica, waits until the master streams writes to the replica, then
   * starts the Sentinel and waits until it knows both. Each step waits for the one before: a
   * Sentinel started before its master answers calls it down, aborts a failover for want of a
   * replica, and then refuses to fail over for twice the failover timeout; a master killed before
   * the replica's first ack has streamed nothing to it.
   *
   * @param downAfterMs Sentinel's {@code down-after-milliseconds}
   * @param failoverTimeoutMs Sentinel's {@code failover-timeout}
   */
  static SentinelPair start(Path dir, Secret password, long downAfterMs, long failoverTimeoutMs, Duration timeout) {
    SentinelPair p = new SentinelPair(dir, password);
    try {
      Path binary = RedisBinary.locate(Optional.empty());
      p.masterProcess = RedisServerProcess.start(binary, new RedisLaunch(p.master, dir.resolve("master"),
          Optional.of(password), Optional.empty(), Optional.of(TestGroup.POLICY), List.of()));
      p.replicaProcess = RedisServerProcess.start(binary, new RedisLaunch(p.replica, dir.resolve("replica"),
          Optional.of(password), Optional.of(p.master), Optional.of(TestGroup.POLICY), List.of()));
      p.awaitReplicaStreaming(timeout);
      Path conf = p.writeSentinelConfig(downAfterMs, failoverTimeoutMs);
      // Sentinel rewrites its config file (known replicas, epochs) with mode 0644 & ~umask; umask 077
      // keeps the rewritten file, which holds the password, at 0600.
      p.sentinelProcess = new ProcessBuilder("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\"",
          binary.toString(), conf.toString(), "--sentinel")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sentinel.log").toFile()))
          .start();
      p.awaitSentinelReady(timeout);
      return p;
    } catch (IOException e) {
      p.close();
      throw new UncheckedIOException("cannot start the Sentinel pair in " + dir, e);
    } catch (RuntimeException | AssertionError e) {
      p.close();
      throw e;
    }
  }

  private Path writeSentinelConfig(long downAfterMs, long failoverTimeoutMs) throws IOException {
    Path conf = dir.resolve("sentinel.conf");
    Files.createFile(conf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    String pw = quote(password.text());
    String text = String.join("\n",
        "port " + sentinel.port(),
        "bind " + sentinel.host(),
        "dir " + quote(dir.toAbsolutePath().toString()),
        "daemonize no",
        "logfile \"\"",
        "requirepass " + pw,
        "sentinel monitor " + MASTER_NAME + " " + master.host() + " " + master.port() + " 1",
        "sentinel auth-pass " + MASTER_NAME + " " + pw,
        "sentinel down-after-milliseconds " + MASTER_NAME + " " + downAfterMs,
        "sentinel failover-timeout " + MASTER_NAME + " " + failoverTimeoutMs,
        "sentinel parallel-syncs " + MASTER_NAME + " 1",
        "");
    Files.writeString(conf, text, StandardCharsets.UTF_8);
    return conf;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  RedisServerProcess masterProcess() {
    return masterProcess;
  }

  Optional<Secret> password() {
    return Optional.of(password);
  }

  Path dir() {
    return dir;
  }

  /**
   * Waits until the master has the replica's acknowledged offset. After a diskless full sync the
   * master sends the replica nothing until the replica's first REPLCONF ACK, although the replica
   * already reports its link up.
   */
  private void awaitReplicaStreaming(Duration timeout) {
    Await.until("replica linked to its master", timeout,
        () -> info(replica).map(i -> !i.isMaster() && i.masterLinkUp()).orElse(false));
    Await.until("master streaming to its replica (replica acked an offset)", timeout,
        () -> info(master).map(i -> i.replicas().size() == 1 && i.replicas().get(0).online()
            && i.replicas().get(0).offset() > 0).orElse(false));
  }

  /**
   * Waits until Sentinel knows the replica as healthy (a Sentinel that has not yet discovered it
   * from the master's INFO aborts a failover with "no good slave"), and checks that it has not
   * already judged the master down.
   */
  private void awaitSentinelReady(Duration timeout) {
    requirePasswordOffCommandLines();
    Await.until("Sentinel sees the master up and a healthy replica", timeout, () -> {
      requireSentinelRunning();
      try (Jedis s = connectSentinel(500)) {
        Map<String, String> m = s.sentinelMaster(MASTER_NAME);
        List<Map<String, String>> replicas = s.sentinelReplicas(MASTER_NAME);
        return "master".equals(m.get("flags"))
            && replicas.size() == 1
            && "slave".equals(replicas.get(0).get("flags"))
            && "ok".equals(replicas.get(0).get("master-link-status"));
      } catch (JedisException e) {
        return false;
      }
    });
    List<String> early = readLog().stream().filter(l -> l.contains("+sdown master")).toList();
    if (!early.isEmpty()) {
      throw new IllegalStateException("Sentinel judged the master down before any fault (" + early.get(0).strip()
          + "): its next failover would be delayed, so this trial is not comparable");
    }
  }

  private List<String> readLog() {
    try {
      return Files.readAllLines(dir.resolve("sentinel.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Thrown when the Sentinel process has exited: this binary or this config will not run it. */
  static final class SentinelExited extends RuntimeException {
    SentinelExited(String message) {
      super(message);
    }
  }

  private void requireSentinelRunning() {
    if (!sentinelProcess.isAlive()) {
      List<String> log = readLog();
      String last = log.isEmpty() ? "no output" : log.get(log.size() - 1).strip();
      throw new SentinelExited("Sentinel exited with status " + sentinelProcess.exitValue() + ": " + last);
    }
  }

  /** What {@code ps} shows of the three processes must not include the password. */
  private void requirePasswordOffCommandLines() {
    for (long pid : List.of(masterProcess.pid(), replicaProcess.pid(), sentinelProcess.pid())) {
      try {
        String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
        if (cmdline.contains(password.text())) {
          throw new IllegalStateException("the password shows on the command line of pid " + pid);
        }
      } catch (IOException e) {
        // No /proc (not Linux) or the process has exited; the latter is reported by the waits.
      }
    }
  }

  Optional<RedisInfo> info(HostPort server) {
    try (RedisControl c = new RedisControl(new RedisConnector(Optional.empty(), Optional.of(password),
        Optional.empty()), server, 1000)) {
      return Optional.of(c.info());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  Jedis connectSentinel(int timeoutMs) {
    // No client name: a plain client, as an application's Sentinel-aware pool would connect.
    Jedis j = new Jedis(new HostAndPort(sentinel.host(), sentinel.port()),
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(timeoutMs)
            .socketTimeoutMillis(timeoutMs)
            .password(password.text())
            .build());
    try {
      j.getConnection().connect();
      return j;
    } catch (RuntimeException e) {
      j.close();
      throw e;
    }
  }

  /**
   * Where a Sentinel-aware client would write: {@code SENTINEL get-master-addr-by-name}, asked at
   * most once per {@code refreshMs}; between asks, and when Sentinel does not answer, the last
   * answer is used.
   */
  SentinelRoute route(long refreshMs) {
    return new SentinelRoute(refreshMs);
  }

  final class SentinelRoute implements Supplier<Optional<HostPort>>, AutoCloseable {
    private final long refreshNanos;
    private Jedis jedis;
    private long askedAt;
    private boolean asked;
    private Optional<HostPort> cached = Optional.empty();

    private SentinelRoute(long refreshMs) {
      this.refreshNanos = TimeUnit.MILLISECONDS.toNanos(refreshMs);
    }

    @Override
    public synchronized Optional<HostPort> get() {
      long now = System.nanoTime();
      if (asked && now - askedAt < refreshNanos) {
        return cached;
      }
      asked = true;
      askedAt = now;
      try {
        if (jedis == null) {
          jedis = connectSentinel(200);
        }
        List<String> addr = jedis.sentinelGetMasterAddrByName(MASTER_NAME);
        if (addr != null && addr.size() == 2) {
          cached = Optional.of(new HostPort(addr.get(0), Integer.parseInt(addr.get(1))));
        }
      } catch (JedisException e) {
        if (jedis != null) {
          jedis.close();
        }
        jedis = null;
      }
      return cached;
    }

    @Override
    public synchronized void close() {
      if (jedis != null) {
        jedis.close();
        jedis = null;
      }
    }
  }

  @Override
  public void close() {
    if (sentinelProcess != null) {
      sentinelProcess.destroyForcibly();
      try {
        sentinelProcess.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (replicaProcess != null) {
      replicaProcess.kill();
    }
    if (masterProcess != null) {
      masterProcess.kill();
    }
  }
}
