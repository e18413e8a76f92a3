package dev.redisha.health;

import dev.redisha.redis.PersistenceSettings;
import dev.redisha.redis.RedisInfo;
import java.util.Optional;

/**
 * One probe's view of the local Redis, immutable and replaced whole.
 *
 * @param status UP (answers and holds its dataset), LOADING (restarted, loading from disk), DOWN
 * @param reason why it is not UP ("connection refused", "3 probes timed out", ...)
 * @param info the last INFO, present when UP or LOADING
 * @param persisting whether it writes RDB or AOF now
 * @param upstream for a replica whose link to its master is down: a direct check of that master
 * @param takenAtMillis when the probe finished (agent clock)
 * @param settings the {@code save} and {@code appendonly} values behind {@code persisting}, when
 *     the probe read them
 */
public record RedisHealth(
    Status status,
    String reason,
    Optional<RedisInfo> info,
    boolean persisting,
    Optional<UpstreamCheck> upstream,
    long takenAtMillis,
    Optional<PersistenceSettings> settings) {

  /** A view without the persistence settings (tests and callers that only need the flag). */
  public RedisHealth(
      Status status, String reason, Optional<RedisInfo> info, boolean persisting, Optional<UpstreamCheck> upstream,
      long takenAtMillis) {
    this(status, reason, info, persisting, upstream, takenAtMillis, Optional.empty());
  }

  public enum Status {
    UP,
    LOADING,
    DOWN
  }

  public boolean up() {
    return status == Status.UP;
  }

  public String runId() {
    return info.map(RedisInfo::runId).orElse("");
  }

  public static RedisHealth unknown(long now) {
    return new RedisHealth(Status.DOWN, "not probed yet", Optional.empty(), false, Optional.empty(), now);
  }
}
