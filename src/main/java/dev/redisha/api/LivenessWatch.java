package dev.redisha.api;

import java.time.Duration;

/**
 * {@code /liveness} (Patroni: 200 while its HA loop runs): whether the agent's decision loop is
 * still turning. The loop replaces the status snapshot on every pass, many times a second even
 * when nothing changes, so the same snapshot object seen across more than the timeout means the
 * loop is stuck (a deadlock, a step that never returns). Such an agent still answers HTTP, which
 * is why a plain TCP check is not enough.
 */
final class LivenessWatch {
  private final long timeoutNanos;
  private Object lastSeen;
  private long lastSeenSince;

  LivenessWatch(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  synchronized HealthChecks.Check check(NodeStatus now) {
    long t = System.nanoTime();
    if (now != lastSeen) {
      lastSeen = now;
      lastSeenSince = t;
    }
    long unchangedMs = (t - lastSeenSince) / 1_000_000;
    boolean alive = t - lastSeenSince <= timeoutNanos;
    var body = HealthChecks.body(now);
    body.put("loop_unchanged_ms", unchangedMs);
    return new HealthChecks.Check(alive ? 200 : 503, body);
  }
}
