package dev.redisha.testsupport;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, so tests never rely on a fixed sleep being enough. */
public final class Await {
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private Await() {}

  /** Polls {@code cond} every 5 ms; fails naming {@code what} if it is not true by the deadline. */
  public static void until(String what, Duration timeout, BooleanSupplier cond) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting until " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
