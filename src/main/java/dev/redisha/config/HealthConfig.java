package dev.redisha.config;

/**
 * Local Redis probing.
 *
 * @param intervalMs time between probes
 * @param timeoutMs connect and read timeout of one probe
 * @param failuresBeforeDown consecutive timed-out probes that make Redis "down" (a refused
 *     connection or a changed run id counts as down at once)
 * @param busyKillAfterMs how long the local Redis may answer BUSY (a script or function running
 *     past Redis' {@code busy-reply-threshold}) before the agent sends {@code SCRIPT KILL} /
 *     {@code FUNCTION KILL}, counted from the first BUSY reply
 * @param busyShutdownAfterMs how long a master may stay BUSY with a script that cannot be killed
 *     (it wrote) before the agent shuts its Redis down with {@code SHUTDOWN NOSAVE} so that a
 *     replica can take over; only when the master had an online replica
 */
public record HealthConfig(
    long intervalMs, long timeoutMs, int failuresBeforeDown, long busyKillAfterMs, long busyShutdownAfterMs) {

  /** 5 s of BUSY replies: with Redis' default busy-reply-threshold, a script 10 s into its run. */
  public static final long DEFAULT_BUSY_KILL_AFTER_MS = 5_000;
  /** 10 s of BUSY replies: the group has been unavailable that long; a replica has everything acked. */
  public static final long DEFAULT_BUSY_SHUTDOWN_AFTER_MS = 10_000;

  public HealthConfig(long intervalMs, long timeoutMs, int failuresBeforeDown) {
    this(intervalMs, timeoutMs, failuresBeforeDown, DEFAULT_BUSY_KILL_AFTER_MS, DEFAULT_BUSY_SHUTDOWN_AFTER_MS);
  }

  /** As above with other BUSY limits (tests use short ones). */
  public HealthConfig withBusyLimits(long killAfterMs, long shutdownAfterMs) {
    return new HealthConfig(intervalMs, timeoutMs, failuresBeforeDown, killAfterMs, shutdownAfterMs);
  }
}
