package dev.redisha.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition instead of sleeping a guessed time: fast when things work, bounded when
 * they do not.
 */
public final class Await {
  private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();

  private Await() {}

  /**
   * Polls {@code cond} every 5 ms until it holds; fails the test naming {@code what} if it still
   * does not hold when {@code timeout} has passed. The condition is always checked once more at
   * the deadline, so a slow machine never fails a condition that just became true.
   */
  public static void until(String what, Duration timeout, BooleanSupplier cond) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        fail("timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
      if (Thread.currentThread().isInterrupted()) {
        fail("interrupted while waiting for " + what);
      }
    }
  }
}
