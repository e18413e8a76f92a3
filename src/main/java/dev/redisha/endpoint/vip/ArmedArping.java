package dev.redisha.endpoint.vip;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first gratuitous ARP of a takeover, started ahead of time: a shell waits on its standard
 * input and, on one line, becomes {@code arping}. Sending the announcement then costs one write and
 * the exec of arping, not the start of a process from the JVM, which is slowest exactly when it
 * matters: during a failover, when the old master's agent, the clients and this node all want the
 * CPU at once.
 *
 * <p>The device and address are the shell's positional parameters, never part of its script, so
 * nothing in the configuration is parsed by the shell.
 */
final class ArmedArping implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ArmedArping.class);
  private static final String SCRIPT = "read _ && exec arping -q -U -c 1 -I \"$0\" -s \"$1\" \"$1\"";

  private final List<String> prefix;
  private final String device;
  private final String address;
  private Process armed;
  private boolean closed;

  ArmedArping(String device, String address) {
    this(List.of(), device, address);
  }

  /** @param prefix what runs the commands elsewhere (tests: {@code ip netns exec NS}) */
  ArmedArping(List<String> prefix, String device, String address) {
    this.prefix = List.copyOf(prefix);
    this.device = device;
    this.address = address;
  }

  /** Starts the waiting shell if none waits; cheap to call again. */
  synchronized void arm() {
    if (closed || (armed != null && armed.isAlive())) {
      return;
    }
    try {
      List<String> cmd = new java.util.ArrayList<>(prefix);
      cmd.addAll(List.of("sh", "-c", SCRIPT, device, address));
      armed = new ProcessBuilder(cmd)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      log.warn("cannot start a waiting arping ({}); the announcement will start its own process", e.getMessage());
      armed = null;
    }
  }

  /**
   * Sends one announcement now: through the armed shell when it waits, else by starting arping.
   *
   * @return false if no arping could be started at all
   */
  synchronized boolean fire() {
    Process p = armed;
    armed = null;
    if (p != null && p.isAlive()) {
      try {
        OutputStream in = p.getOutputStream();
        in.write('\n');
        in.close();
        return true;
      } catch (IOException e) {
        p.destroyForcibly();
      }
    }
    return start().isPresent();
  }

  /** One announcement in a process of its own (the repeats, and the fallback). */
  Optional<Process> start() {
    List<String> cmd = new java.util.ArrayList<>(prefix);
    cmd.addAll(List.of("arping", "-q", "-U", "-c", "1", "-I", device, "-s", address, address));
    return NetCommand.start(cmd);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (armed != null) {
      armed.destroyForcibly();
      armed = null;
    }
  }
}
