package dev.redisha.health;

import dev.redisha.config.HostPort;

/**
 * A direct look at the master a replica has lost its link to. A master that refuses connections
 * or answers with another run id has crashed or restarted, whatever its agent says.
 *
 * @param runId its run id when reachable, else ""
 * @param role its role when reachable, else ""
 */
public record UpstreamCheck(HostPort target, boolean reachable, String runId, String role, String reason) {}
