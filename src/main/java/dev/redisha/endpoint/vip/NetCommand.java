package dev.redisha.endpoint.vip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code ip} and {@code arping} with a time limit and returns what they said. */
final class NetCommand {
  record Result(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  private NetCommand() {}

  /** Starts a command without waiting for it; it ends on its own (arping -c 1 takes about 1 s). */
  static java.util.Optional<Process> start(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.getOutputStream().close();
      return java.util.Optional.of(p);
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  static Result run(List<String> command, long timeoutMs) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(-1, String.join(" ", command) + ": timed out after " + timeoutMs + " ms");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
