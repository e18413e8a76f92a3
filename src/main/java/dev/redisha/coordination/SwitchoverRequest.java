package dev.redisha.coordination;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's switchover the master accepted: pending until it runs or, after {@code
 * lifetimeMs}, expires; it never runs unprompted later.
 */
public final class SwitchoverRequest {
  private static final Logger log = LoggerFactory.getLogger(SwitchoverRequest.class);
  private final String me;
  private final long lifetimeMs;
  /** The accepted request, null when none. */
  private Pending pending;

  /** @param to the chosen node, or empty for the best in-sync replica */
  private record Pending(Optional<String> to, long requestedAt, long expiresAt) {}

  public SwitchoverRequest(String me, long lifetimeMs) {
    this.me = me;
    this.lifetimeMs = lifetimeMs;
  }

  public void accept(Optional<String> to, long now) {
    pending = new Pending(to, now, now + lifetimeMs);
  }

  /** Drops the request; false if there was none. */
  public boolean cancel() {
    boolean had = pending != null;
    pending = null;
    return had;
  }

  public boolean pending() {
    return pending != null;
  }

  /** Whether {@code nodeId} may be the target: the chosen node, or any when none was chosen. */
  public boolean allows(String nodeId) {
    return pending != null && pending.to().map(nodeId::equals).orElse(true);
  }

  /** Drops a request past its lifetime, with a log line saying nothing was changed. */
  public void expire(long now) {
    if (pending != null && now > pending.expiresAt()) {
      log.warn("[{}] switchover request {} expired after {} ms without an in-sync target; nothing was changed", me,
          pending.to().map(t -> "to " + t).orElse(""), now - pending.requestedAt());
      pending = null;
    }
  }

  /** The pending request in one line, "" when none. */
  public String describe(long now) {
    if (pending == null) {
      return "";
    }
    return "to " + pending.to().orElse("the best in-sync replica") + ", requested " + (now - pending.requestedAt())
        + " ms ago, expires in " + Math.max(0, pending.expiresAt() - now) + " ms";
  }
}
