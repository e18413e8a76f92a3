package dev.redisha.redis;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server child process. Its configuration arrives on standard input, its output goes to
 * {@code redis.log} in its data directory.
 */
public final class RedisServerProcess implements AutoCloseable {
  private final Process process;
  private final RedisLaunch launch;

  private RedisServerProcess(Process process, RedisLaunch launch) {
    this.process = process;
    this.launch = launch;
  }

  public static RedisServerProcess start(Path binary, RedisLaunch launch) {
    try {
      Files.createDirectories(launch.dataDir());
      Path log = launch.dataDir().resolve("redis.log");
      Process p =
          new ProcessBuilder(List.of(binary.toString(), "-"))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write((String.join("\n", launch.configLines()) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return new RedisServerProcess(p, launch);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public RedisLaunch launch() {
    return launch;
  }

  /** SIGKILL: a crash, as the tests and the demo need it. */
  public void kill() {
    process.destroyForcibly();
    waitFor(5000);
  }

  /** SIGSTOP / SIGCONT, to simulate a frozen server. */
  public void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean waitFor(long ms) {
    try {
      return process.waitFor(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    signal("CONT");
    process.destroy();
    if (!waitFor(5000)) {
      kill();
    }
  }
}
