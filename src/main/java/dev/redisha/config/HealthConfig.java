package dev.redisha.config;

/**
 * Local Redis probing.
 *
 * @param intervalMs time between probes
 * @param timeoutMs connect and read timeout of one probe
 * @param failuresBeforeDown consecutive timed-out probes that make Redis "down" (a refused
 *     connection or a changed run id counts as down at once)
 */
public record HealthConfig(long intervalMs, long timeoutMs, int failuresBeforeDown) {}
