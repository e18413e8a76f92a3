package dev.redisha.api;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool that admits at most {@code threads + waiting} tasks at once and refuses the next.
 *
 * <p>A {@link ThreadPoolExecutor} with a bounded queue counts only what sits in the queue: on a
 * busy host, tasks handed to idle threads stay in the queue until those threads are scheduled, so
 * a burst could be refused with fewer than {@code threads + waiting} tasks in the pool. An
 * operator's switchover must not be refused with only two others in progress, so admission is
 * counted here, from hand-over to completion, and the queue itself is unbounded.
 */
final class AdmissionPool {
  private final ThreadPoolExecutor executor;
  private final Semaphore admitted;

  AdmissionPool(String name, int threads, int waiting) {
    AtomicInteger count = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.admitted = new Semaphore(threads + waiting);
  }

  /**
   * Runs the task on a pool thread.
   *
   * @throws RejectedExecutionException when the pool already holds as many tasks as it admits, or
   *     is shut down
   */
  void execute(Runnable task) {
    if (!admitted.tryAcquire()) {
      throw new RejectedExecutionException("full");
    }
    try {
      executor.execute(
          () -> {
            try {
              task.run();
            } finally {
              admitted.release();
            }
          });
    } catch (RejectedExecutionException shutDown) {
      admitted.release();
      throw shutDown;
    }
  }

  /** Tasks admitted and not yet started. */
  int waiting() {
    return executor.getQueue().size();
  }

  /** Starts the threads now, so the first task does not pay for it. */
  void prestart() {
    executor.prestartAllCoreThreads();
  }

  ExecutorService executor() {
    return executor;
  }
}
