package dev.redisha.coordination.peer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - 5_000_000_000L);
  private final LogThrottle<String> throttle =
      new LogThrottle<>(Duration.ofSeconds(10), nanos::get);

  @Test
  void oncePerIntervalPerKey() {
    assertTrue(throttle.permit("a"));
    assertFalse(throttle.permit("a"));
    assertTrue(throttle.permit("b"), "keys are independent");

    nanos.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
    assertFalse(throttle.permit("a"));
    nanos.addAndGet(1);
    assertTrue(throttle.permit("a"), "again after the interval, even across a nanoTime wrap");
    assertFalse(throttle.permit("a"));
  }
}
