package dev.redisha.event;

import dev.redisha.config.HooksConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the keepalived-style notify scripts (DESIGN §3 rule 5): {@code <script> GROUP <group>
 * <STATE>}, with REDIS_HA_GROUP, REDIS_HA_NODE, REDIS_HA_STATE and REDIS_HA_EPOCH set.
 *
 * <p>{@link #fire} only queues the run, so a slow or hung script can never delay a failover. One
 * thread runs the queue, so scripts see the transitions in the order they happened and never
 * overlap (a notify_backup cannot race the notify_master before it). Each run is killed, with
 * its children, when it exceeds the configured timeout, and reported as a "hook" event.
 */
public final class HookRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

  // What a script needs to find programs and print text. The rest of the agent's environment
  // stays out: it may hold REDIS_PASSWORD or similar (DESIGN §3 rule 6), and a script that
  // echoes its environment into a log would publish it.
  private static final List<String> PASSED_ENV = List.of("PATH", "LANG", "LC_ALL", "TZ", "HOME");
  private static final int OUTPUT_CHARS = 200;
  // After SIGKILL the kernel reaps quickly; the bound only guards against a process stuck in
  // uninterruptible I/O holding the queue forever.
  private static final long KILL_WAIT_MS = 2_000;

  private final HooksConfig hooks;
  private final Consumer<Event> sink;
  private final ThreadPoolExecutor executor;

  /**
   * @param hooks the scripts and their timeout
   * @param sink receives one "hook" event per run, on the hook thread (usually EventLog::append)
   */
  public HookRunner(HooksConfig hooks, Consumer<Event> sink) {
    this.hooks = Objects.requireNonNull(hooks, "hooks");
    this.sink = Objects.requireNonNull(sink, "sink");
    if (hooks.timeoutMs() <= 0) {
      throw new IllegalArgumentException("hooks timeoutMs must be > 0, got " + hooks.timeoutMs());
    }
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "hooks");
              // A hook still running must not keep a stopping agent alive.
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Queues the {@code type} script, if one is configured, and returns at once. A runner that is
   * closed drops the run with a log line rather than throwing into the caller's transition.
   */
  public void fire(HookType type, String group, String nodeId, long epoch) {
    Optional<Path> script = type.scriptIn(hooks);
    if (script.isEmpty()) {
      return;
    }
    try {
      executor.execute(() -> runAndReport(type, script.get(), group, nodeId, epoch));
    } catch (RejectedExecutionException e) {
      log.warn("{} not run: the hook runner is closed", type.hookName());
    }
  }

  /**
   * Stops taking hooks and waits for the queued ones, so a notify_stop fired during shutdown still
   * runs. Each queued run is bounded by its timeout, which bounds the wait.
   */
  @Override
  public void close() {
    executor.shutdown();
    long perRunMs = hooks.timeoutMs() + KILL_WAIT_MS;
    long waitMs = (executor.getQueue().size() + 1L) * perRunMs;
    try {
      if (!executor.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
        log.warn("hooks still running after {} ms; abandoning them", waitMs);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void runAndReport(HookType type, Path script, String group, String nodeId, long epoch) {
    long started = System.nanoTime();
    Outcome outcome = run(type, script, group, nodeId, epoch);
    long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("hook", type.hookName());
    fields.put("script", script.toString());
    fields.put("exit", outcome.exit());
    fields.put("duration_ms", durationMs);
    fields.put("output", outcome.output());
    String cause = describe(type, outcome, durationMs);
    try {
      sink.accept(new Event(Instant.now(), nodeId, EventType.HOOK, cause, epoch, fields));
    } catch (RuntimeException e) {
      // The sink is the event log, which does not throw; this guards the hook thread anyway,
      // because losing it would silently stop every later hook.
      log.warn("hook event for {} was not recorded: {}", type.hookName(), e.toString());
    }
  }

  private Outcome run(HookType type, Path script, String group, String nodeId, long epoch) {
    Path output = null;
    try {
      // A file rather than a pipe: the script can never block on a full pipe, and a child that
      // keeps the output open after the script exits cannot hang a reader.
      output = Files.createTempFile("redis-ha-hook-", ".out");
      ProcessBuilder builder =
          new ProcessBuilder(script.toString(), "GROUP", group, type.state())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      Map<String, String> env = builder.environment();
      env.clear();
      for (String name : PASSED_ENV) {
        String value = System.getenv(name);
        if (value != null) {
          env.put(name, value);
        }
      }
      env.put("REDIS_HA_GROUP", group);
      env.put("REDIS_HA_NODE", nodeId);
      env.put("REDIS_HA_STATE", type.state());
      env.put("REDIS_HA_EPOCH", Long.toString(epoch));

      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        return new Outcome("not started", String.valueOf(e.getMessage()));
      }
      // A script that reads stdin gets EOF instead of waiting for input that never comes.
      process.getOutputStream().close();
      return awaitExit(process, output);
    } catch (IOException e) {
      return new Outcome("not started", String.valueOf(e.getMessage()));
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException e) {
          log.debug("could not delete hook output {}: {}", output, e.toString());
        }
      }
    }
  }

  private Outcome awaitExit(Process process, Path output) {
    try {
      if (process.waitFor(hooks.timeoutMs(), TimeUnit.MILLISECONDS)) {
        return new Outcome(process.exitValue(), head(output));
      }
      killTree(process);
      process.waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS);
      return new Outcome("timeout", head(output));
    } catch (InterruptedException e) {
      // close() gave up waiting: do not leave the script running behind a stopped agent.
      killTree(process);
      Thread.currentThread().interrupt();
      return new Outcome("interrupted", head(output));
    }
  }

  private static void killTree(Process process) {
    // Children first: once the script dies they are re-parented away from it and no longer show
    // up as its descendants, so a `sleep` it started would outlive the timeout.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static String head(Path output) {
    try (InputStream in = Files.newInputStream(output)) {
      // 4 bytes per char covers any UTF-8 text; a character cut at the end decodes to U+FFFD.
      String text = new String(in.readNBytes(OUTPUT_CHARS * 4), StandardCharsets.UTF_8).strip();
      return text.length() > OUTPUT_CHARS ? text.substring(0, OUTPUT_CHARS) : text;
    } catch (IOException e) {
      return "(output unreadable: " + e.getMessage() + ")";
    }
  }

  private String describe(HookType type, Outcome outcome, long durationMs) {
    String name = type.hookName();
    if (outcome.exit() instanceof Integer code) {
      return name + " exited " + code + " in " + durationMs + " ms";
    }
    return switch ((String) outcome.exit()) {
      case "timeout" -> name + " ran past its " + hooks.timeoutMs() + " ms timeout and was killed";
      case "interrupted" -> name + " was killed because the agent is shutting down";
      default -> name + " could not start: " + outcome.output();
    };
  }

  /**
   * How one run ended.
   *
   * @param exit the exit code, or "timeout", "interrupted" or "not started"
   * @param output the head of the combined stdout and stderr, or why the script did not start
   */
  private record Outcome(Object exit, String output) {}
}
