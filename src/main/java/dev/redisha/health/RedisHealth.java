package dev.redisha.health;

import dev.redisha.redis.PersistenceSettings;
import dev.redisha.redis.RedisInfo;
import java.util.Optional;

/**
 * One probe's view of the local Redis, immutable and replaced whole.
 *
 * @param status UP (answers and holds its dataset), LOADING (restarted, loading from disk), BUSY
 *     (alive, running a script or function past {@code busy-reply-threshold}), DOWN
 * @param reason why it is not UP ("connection refused", "3 probes timed out", the BUSY reply...)
 * @param info the last INFO, present when UP or LOADING; when BUSY, the last INFO from before the
 *     script (Redis answers no INFO while busy), absent if the agent never had one
 * @param persisting whether it writes RDB or AOF now (when BUSY: as last seen)
 * @param takenAtMillis when the probe finished (agent clock)
 * @param settings the {@code save} and {@code appendonly} values behind {@code persisting}, when
 *     the probe read them
 * @param busySinceMillis when BUSY: when the first BUSY reply of this episode arrived (agent
 *     clock; Redis had then been running the script for busy-reply-threshold already), else -1
 */
public record RedisHealth(
    Status status,
    String reason,
    Optional<RedisInfo> info,
    boolean persisting,
    long takenAtMillis,
    Optional<PersistenceSettings> settings,
    long busySinceMillis) {

  /** A view without the persistence settings (tests and callers that only need the flag). */
  public RedisHealth(
      Status status, String reason, Optional<RedisInfo> info, boolean persisting,
      long takenAtMillis, Optional<PersistenceSettings> settings) {
    this(status, reason, info, persisting, takenAtMillis, settings, -1);
  }

  /** A BUSY (or other) view without the persistence settings. */
  public RedisHealth(
      Status status, String reason, Optional<RedisInfo> info, boolean persisting,
      long takenAtMillis, long busySinceMillis) {
    this(status, reason, info, persisting, takenAtMillis, Optional.empty(), busySinceMillis);
  }

  public enum Status {
    UP,
    LOADING,
    BUSY,
    DOWN
  }

  public RedisHealth(
      Status status, String reason, Optional<RedisInfo> info, boolean persisting,
      long takenAtMillis) {
    this(status, reason, info, persisting, takenAtMillis, Optional.empty(), -1);
  }

  /**
   * Whether Redis is alive and the agent knows what it holds. A BUSY Redis is alive: it answers,
   * only not INFO, and its role and data are those of the INFO before the script (a script cannot
   * change the role). A BUSY Redis the agent never saw answer INFO (the agent started during the
   * script) is not up: nothing is known about its data, so it must not be advertised as a source.
   */
  public boolean up() {
    return status == Status.UP || (status == Status.BUSY && info.isPresent());
  }

  public boolean busy() {
    return status == Status.BUSY;
  }

  /** How long Redis has answered BUSY, 0 when it does not. */
  public long busyForMillis() {
    return busy() ? Math.max(0, takenAtMillis - busySinceMillis) : 0;
  }

  public String runId() {
    return info.map(RedisInfo::runId).orElse("");
  }

  public static RedisHealth unknown(long now) {
    return new RedisHealth(Status.DOWN, "not probed yet", Optional.empty(), false, now);
  }
}
