package dev.redisha.endpoint.vip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived {@code ip -force -batch -} that takes the VIP's {@code addr add} and {@code addr
 * del} on its standard input, so that taking the address costs a netlink round trip instead of
 * starting a process: bench/netns measured 17–76 ms for {@code ip addr add} started from the
 * agent's JVM while the failover's other work ran, most of it the process start.
 *
 * <p>ip in batch mode prints nothing on success and buffers its standard output when that is a
 * pipe, so the output cannot tell when a command is done. Its standard error is unbuffered, and a
 * failed command is followed there by {@code Command failed -:N} (N its input line). So every
 * command is followed by a line that always fails: its {@code Command failed} line marks the end of
 * the command before it, and whether that one failed too.
 *
 * <p>When the helper cannot be started, died, or does not answer in time, the command runs once as
 * its own {@code ip} process ({@link NetCommand#run}) and the helper is started again for the next.
 */
final class IpBatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IpBatch.class);
  /** Not an ip object: fails at once, without touching anything. */
  private static final String MARKER = "redis-ha-end-of-command";
  private static final String FAILED = "Command failed -:";

  private final List<String> ip;
  private final long timeoutMs;
  private Process process;
  private OutputStream stdin;
  private BlockingQueue<String> stderr;
  /** ip's count of the lines it has read from this helper (its N in "Command failed -:N"). */
  private int linesSent;

  IpBatch(long timeoutMs) {
    this(List.of("ip"), timeoutMs);
  }

  /** @param ip the command that runs ip, with its global options (tests: {@code ip -n NS}) */
  IpBatch(List<String> ip, long timeoutMs) {
    this.ip = List.copyOf(ip);
    this.timeoutMs = timeoutMs;
  }

  /** The helper's process id while it runs (tests kill it to check it is replaced). */
  synchronized java.util.OptionalLong helperPid() {
    return process != null && process.isAlive() ? java.util.OptionalLong.of(process.pid()) : java.util.OptionalLong.empty();
  }

  /**
   * Runs one ip command ({@code args} without the leading {@code ip}), in the helper if it works,
   * else as a process of its own.
   */
  synchronized NetCommand.Result run(List<String> args) {
    for (String a : args) {
      if (a.isEmpty() || a.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\' || c == '#')) {
        // ip's batch syntax would split or quote it differently from argv: not for the helper.
        return oneShot(args);
      }
    }
    if (!started()) {
      return oneShot(args);
    }
    int commandLine = linesSent + 1;
    int markerLine = linesSent + 2;
    try {
      stdin.write((String.join(" ", args) + "\n" + MARKER + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      linesSent += 2;
    } catch (IOException e) {
      restartLater("could not write to it: " + e.getMessage());
      return oneShot(args);
    }
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    List<String> said = new ArrayList<>();
    boolean failed = false;
    while (true) {
      String line;
      try {
        line = stderr.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        restartLater("interrupted");
        return new NetCommand.Result(-1, "interrupted");
      }
      if (line == null) {
        // Whether it ran is not known; the VIP's commands are safe to repeat (an address added
        // twice or removed twice is reported as such), so run it once more on its own.
        restartLater("no answer within " + timeoutMs + " ms");
        return oneShot(args);
      }
      if (line.equals(FAILED + markerLine)) {
        String out = String.join("\n", said).strip();
        return new NetCommand.Result(failed ? 1 : 0, out);
      }
      if (line.equals(FAILED + commandLine)) {
        failed = true;
      } else if (!line.startsWith("Object \"" + MARKER + "\"")) {
        said.add(line);
      }
    }
  }

  /** Starts the helper ahead of the first command (a no-op if it runs). */
  synchronized void start() {
    started();
  }

  private boolean started() {
    if (process != null && process.isAlive()) {
      return true;
    }
    if (process != null) {
      log.warn("ip batch helper exited (code {}); starting it again", process.exitValue());
    }
    try {
      List<String> cmd = new ArrayList<>(ip);
      cmd.addAll(List.of("-force", "-batch", "-"));
      Process p = new ProcessBuilder(cmd)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> readLines(p, lines), "ip-batch-stderr");
      reader.setDaemon(true);
      reader.start();
      process = p;
      stdin = p.getOutputStream();
      stderr = lines;
      linesSent = 0;
      return true;
    } catch (IOException e) {
      log.warn("cannot start the ip batch helper ({}); running ip once per command", e.getMessage());
      process = null;
      return false;
    }
  }

  private static void readLines(Process p, BlockingQueue<String> lines) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      // The helper is gone; the next command notices and starts another.
    }
  }

  private void restartLater(String why) {
    log.warn("ip batch helper: {}; it is restarted for the next command", why);
    stop();
  }

  private NetCommand.Result oneShot(List<String> args) {
    List<String> cmd = new ArrayList<>(ip);
    cmd.addAll(args);
    return NetCommand.run(cmd, 5000);
  }

  private void stop() {
    if (process != null) {
      process.destroyForcibly();
      process = null;
    }
  }

  @Override
  public synchronized void close() {
    if (process != null) {
      try {
        stdin.close();
        if (!process.waitFor(1, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      process = null;
    }
  }
}
