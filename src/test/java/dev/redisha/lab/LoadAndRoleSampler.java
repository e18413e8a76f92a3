package dev.redisha.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Every few seconds, the machine's 1-minute load average, how many busy loops run, and the role each host's Redis answers
 * with (as the client host sees it), on a thread of its own. Bounded in count; stops on close.
 */
final class LoadAndRoleSampler implements AutoCloseable {
  record Sample(Instant at, double load1, int hogLoops, String h1, String h2) {
    boolean twoMasters() {
      return h1.equals("master") && h2.equals("master");
    }
  }

  private final VipGroup group;
  private final IntSupplier hogLoops;
  private final long periodNanos;
  private final int maxSamples;
  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stop;

  LoadAndRoleSampler(VipGroup group, IntSupplier hogLoops, long periodMs, int maxSamples) {
    this.group = group;
    this.hogLoops = hogLoops;
    this.periodNanos = periodMs * 1_000_000;
    this.maxSamples = maxSamples;
    this.thread = new Thread(this::run, "soak-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  static double load1() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  private void run() {
    long next = System.nanoTime();
    while (!stop && size() < maxSamples) {
      Sample s = new Sample(Instant.now(), load1(), hogLoops.getAsInt(), role("198.18.0.1"), role("198.18.0.2"));
      synchronized (samples) {
        samples.add(s);
      }
      next += periodNanos;
      LockSupport.parkNanos(next - System.nanoTime());
    }
  }

  /** "master", "slave", or "?" when the host did not answer. */
  private String role(String host) {
    try {
      String r = group.role(host);
      return r.startsWith("master") ? "master" : r.startsWith("slave") ? "slave" : "?";
    } catch (RuntimeException e) {
      return "?";
    }
  }

  private int size() {
    synchronized (samples) {
      return samples.size();
    }
  }

  List<Sample> between(Instant from, Instant to) {
    synchronized (samples) {
      return samples.stream().filter(s -> !s.at().isBefore(from) && s.at().isBefore(to)).toList();
    }
  }

  @Override
  public void close() {
    stop = true;
    LockSupport.unpark(thread);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
