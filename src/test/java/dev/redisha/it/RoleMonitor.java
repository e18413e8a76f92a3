package dev.redisha.it;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** Samples every node's Redis role every 5 ms and counts the samples in which two were master. */
final class RoleMonitor implements AutoCloseable {
  private final TestGroup group;
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong twoMasters = new AtomicLong();
  private final Thread thread;
  private volatile boolean stop;

  RoleMonitor(TestGroup group) {
    this.group = group;
    this.thread = new Thread(this::run, "role-monitor");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!stop && System.nanoTime() < deadline) {
      samples.incrementAndGet();
      if (group.redisMasters() > 1) {
        twoMasters.incrementAndGet();
      }
      LockSupport.parkNanos(5_000_000);
    }
  }

  long samples() {
    return samples.get();
  }

  long twoMasterSamples() {
    return twoMasters.get();
  }

  @Override
  public void close() {
    stop = true;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
