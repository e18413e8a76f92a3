package dev.redisha.redis;

import dev.redisha.config.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Asks a redis-server binary whether it accepts the options of {@code redis.extra_args}: starts
 * it for a moment on a free loopback port, with no persistence, in a throw-away directory. Which
 * options exist, and which values they take, depends on the Redis version and its build (TLS,
 * modules), so the binary itself is the only list that is never out of date. It reads its whole
 * config before it opens its port, so a server that accepts connections has accepted the options.
 */
public final class RedisOptionsCheck {
  private static final long WAIT_MS = 5000;

  private RedisOptionsCheck() {}

  /** What the binary said, if it refused to start with these options. */
  public record Verdict(boolean accepted, String reason) {}

  /**
   * @return the binary's verdict, or empty if it could not tell in time (it neither exited nor
   *     opened its port within 5 s)
   * @throws UncheckedIOException if the binary cannot be run at all
   */
  public static Optional<Verdict> ask(Path binary, List<String> extraArgs) {
    Path dir;
    try {
      dir = Files.createTempDirectory("redis-ha-check-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the check", e);
    }
    HostPort listen = new HostPort("127.0.0.1", FreePorts.tcp());
    RedisLaunch launch = new RedisLaunch(listen, dir, Optional.empty(), Optional.empty(),
        Optional.empty(), extraArgs);
    RedisServerProcess process = RedisServerProcess.start(binary, launch);
    try {
      long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
      while (System.nanoTime() - deadline < 0) {
        if (!process.isAlive()) {
          return Optional.of(new Verdict(false, RedisExitReason.of(process.lastLogLines(30), launch)));
        }
        if (answers(listen)) {
          return Optional.of(new Verdict(true, ""));
        }
        LockSupport.parkNanos(10_000_000);
      }
      return Optional.empty();
    } finally {
      process.kill();
      deleteTree(dir);
    }
  }

  private static boolean answers(HostPort listen) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(listen.host(), listen.port()), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // A leftover empty temp directory is harmless.
    }
  }
}
