package dev.redisha.lab;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Busy-loop shells that keep the machine's 1-minute load average above a target, as other work on
 * a shared host does. The machine is shared: when other work already loads it, fewer loops run
 * (none at all when the load stays high on its own); one loop is added or removed at most every 15
 * s, since the load average follows a change over about a minute. Each loop runs in a lab namespace
 * (closing the lab kills it too) under {@code timeout}, so none outlives its budget even if the
 * benchmark itself is killed.
 */
final class CpuHog implements AutoCloseable {
  private static final long STEP_NANOS = 15_000_000_000L;

  private final NetnsLab lab;
  private final String host;
  private final int maxLoops;
  private final double target;
  private final long deadlineNanos;
  private final Path logDir;
  private final Deque<Process> loops = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean stop;
  private int started;

  CpuHog(NetnsLab lab, String host, int maxLoops, double targetLoad, long maxSeconds, Path logDir) {
    this.lab = lab;
    this.host = host;
    this.maxLoops = maxLoops;
    this.target = targetLoad;
    this.deadlineNanos = System.nanoTime() + maxSeconds * 1_000_000_000L;
    this.logDir = logDir;
    int first = (int) Math.min(maxLoops, Math.max(0, Math.ceil(targetLoad + 1 - LoadAndRoleSampler.load1())));
    for (int i = 0; i < first; i++) {
      add();
    }
    this.thread = new Thread(this::steer, "soak-cpu-hog");
    thread.setDaemon(true);
    thread.start();
  }

  private void steer() {
    while (!stop && System.nanoTime() < deadlineNanos) {
      LockSupport.parkNanos(STEP_NANOS);
      double load = LoadAndRoleSampler.load1();
      synchronized (this) {
        if (stop) {
          return;
        }
        if (load < target + 1 && loops.size() < maxLoops) {
          add();
        } else if (load > target + 3 && !loops.isEmpty()) {
          kill(loops.pop());
        }
      }
    }
  }

  private synchronized void add() {
    long left = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000_000L);
    loops.push(lab.start(host, List.of("timeout", Long.toString(left), "sh", "-c", "while :; do :; done"),
        Map.of(), logDir.resolve("hog-" + started++ + ".log")));
  }

  /** Busy loops running now. */
  synchronized int running() {
    return loops.size();
  }

  private static void kill(Process p) {
    // timeout would pass a TERM on, but a SIGKILL of timeout itself would orphan the loop.
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  @Override
  public void close() {
    stop = true;
    LockSupport.unpark(thread);
    synchronized (this) {
      loops.forEach(CpuHog::kill);
      loops.clear();
    }
  }
}
