package dev.redisha.coordination.peer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Lets a log line through at most once per interval per key, so that a flood of bad packets (or a
 * listener failing on every advert) costs a counter increment each, not a log line each.
 * Thread-safe.
 */
final class LogThrottle<K> {
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final Map<K, Long> lastLoggedNanos = new HashMap<>();

  LogThrottle(Duration interval, LongSupplier nanoClock) {
    this.intervalNanos = interval.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Whether to log for this key now; if so, the next permit for the key is one interval away. */
  synchronized boolean permit(K key) {
    long now = nanoClock.getAsLong();
    Long last = lastLoggedNanos.get(key);
    // Nanos are compared by difference, never directly, because System.nanoTime may wrap.
    if (last != null && now - last < intervalNanos) {
      return false;
    }
    lastLoggedNanos.put(key, now);
    return true;
  }
}
