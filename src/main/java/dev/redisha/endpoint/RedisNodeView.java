package dev.redisha.endpoint;

import dev.redisha.config.HostPort;
import java.util.Objects;

/**
 * What this agent knows of one node's Redis, for endpoints that describe the group (Sentinel's
 * {@code SENTINEL replicas}, its {@code +sdown} and {@code +role-change} events). Only facts that
 * change rarely belong here: a new view is published whenever one changes.
 *
 * @param nodeId the node
 * @param redis its Redis address as clients reach it
 * @param up whether its Redis answers (as the node's agent last advertised, or as probed here)
 * @param role the role it last reported: "master", "slave", or "" if it never answered
 * @param runId its Redis run id as of its last answer, "" if unknown
 */
public record RedisNodeView(String nodeId, HostPort redis, boolean up, String role, String runId) {
  public RedisNodeView {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(redis, "redis");
    role = role == null ? "" : role;
    runId = runId == null ? "" : runId;
  }
}
