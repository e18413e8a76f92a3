package dev.redisha.redis;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A redis-server process this JVM may stop: either a child it started (configuration on standard
 * input, output to {@code redis.log} in its data directory) or one it adopted by PID, left running
 * by an agent that died. Signals go through the {@link ProcessHandle}, which is bound to the
 * process's start time, so a PID the kernel has reused for something else is never signalled.
 */
public final class RedisServerProcess implements AutoCloseable {
  public static final String LOG_FILE = "redis.log";
  private static final long STOP_TIMEOUT_MS = 5000;

  private final ProcessHandle handle;
  private final Optional<Process> child;
  private final RedisLaunch launch;

  private RedisServerProcess(ProcessHandle handle, Optional<Process> child, RedisLaunch launch) {
    this.handle = handle;
    this.child = child;
    this.launch = launch;
  }

  public static RedisServerProcess start(Path binary, RedisLaunch launch) {
    try {
      // The dataset is only for this node's Redis: a 0700 directory keeps dump.rdb and the AOF
      // private whatever mode redis-server gives them. An existing directory keeps its mode.
      Files.createDirectories(launch.dataDir(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path log = launch.dataDir().resolve(LOG_FILE);
      try {
        Files.createFile(log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (java.nio.file.FileAlreadyExistsException exists) {
        // appended to
      }
      Process p =
          new ProcessBuilder(List.of(binary.toString(), "-"))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write((String.join("\n", launch.configLines()) + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // A server that dies at once may close its stdin before reading all of it; its exit code
        // and redis.log say why, which is what the caller reports. One that lives on without its
        // whole config must not run.
        if (!p.waitFor(1, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw e;
        }
      }
      return new RedisServerProcess(p.toHandle(), Optional.of(p), launch);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + binary, e);
    }
  }

  /**
   * Takes charge of a running redis-server by PID, or empty if no such process is alive. The
   * caller has established that it is this node's server; {@code launch} describes the node's
   * config, not necessarily the one the process was started with.
   */
  public static Optional<RedisServerProcess> adopt(long pid, RedisLaunch launch) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .map(h -> new RedisServerProcess(h, Optional.empty(), launch));
  }

  public long pid() {
    return handle.pid();
  }

  public boolean isAlive() {
    // A child's Process knows from the JDK's reaper (no system call), while a ProcessHandle reads
    // /proc/<pid>/stat on every call; the decision loop asks on every pass, 20-30 times a second.
    return child.isPresent() ? child.get().isAlive() : handle.isAlive();
  }

  /** Whether this JVM took it over from a previous agent rather than starting it. */
  public boolean adopted() {
    return child.isEmpty();
  }

  /** The exit code of a child that has exited; empty while it runs, or for an adopted process. */
  public OptionalInt exitCode() {
    if (child.isEmpty() || handle.isAlive()) {
      return OptionalInt.empty();
    }
    // The handle can see the exit a moment before the Process has reaped the child and knows
    // its code; without this wait one failure read "code 1", its retry "code unknown", and the
    // two counted as different failures.
    try {
      if (!child.get().waitFor(1, TimeUnit.SECONDS)) {
        return OptionalInt.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
    return OptionalInt.of(child.get().exitValue());
  }

  public RedisLaunch launch() {
    return launch;
  }

  /** The last {@code n} non-blank lines of {@code redis.log}, oldest first; empty if unreadable. */
  public List<String> lastLogLines(int n) {
    Path log = launch.dataDir().resolve(LOG_FILE);
    Deque<String> tail = new ArrayDeque<>();
    try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
      lines.filter(l -> !l.isBlank()).forEach(l -> {
        tail.addLast(l.strip());
        if (tail.size() > n) {
          tail.removeFirst();
        }
      });
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
    return List.copyOf(tail);
  }

  /** SIGKILL: a crash, as the tests and the demo need it. */
  public void kill() {
    handle.destroyForcibly();
    waitFor(5000);
  }

  /** SIGSTOP / SIGCONT, to simulate a frozen server. */
  public void signal(String name) {
    if (!handle.isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the process to exit; true if it has. Works for adopted processes too. */
  public boolean waitFor(long ms) {
    try {
      handle.onExit().get(ms, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  /**
   * SIGTERM, then SIGKILL if it has not exited within 5 s. On SIGTERM Redis writes its final
   * snapshot when save points are set; a server stopped (SIGSTOP) is continued first so it can.
   */
  @Override
  public void close() {
    if (!handle.isAlive()) {
      return;
    }
    signal("CONT");
    handle.destroy();
    if (!waitFor(STOP_TIMEOUT_MS)) {
      kill();
    }
  }
}
