package dev.redisha.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.redisha.config.HostPort;
import java.util.Objects;
import java.util.Optional;

/**
 * What asking one agent for its status gave: its {@link NodeStatus}, or why there is none.
 *
 * @param agent the API address that was asked
 * @param status present when the agent answered with a status
 * @param failure why there is no status ("connection refused"); empty when there is one
 * @param document the status document as the agent sent it, when it answered
 */
public record StatusResult(HostPort agent, Optional<NodeStatus> status, String failure, Optional<JsonNode> document) {

  public StatusResult {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(failure, "failure");
    document = document == null ? Optional.empty() : document;
    if (status.isPresent() == !failure.isEmpty()) {
      throw new IllegalArgumentException("a result has either a status or a failure");
    }
  }

  public StatusResult(HostPort agent, Optional<NodeStatus> status, String failure) {
    this(agent, status, failure, Optional.empty());
  }

  public static StatusResult reached(HostPort agent, NodeStatus status) {
    return new StatusResult(agent, Optional.of(status), "");
  }

  /** With the whole {@code GET /status} document (it has the events, which NodeStatus does not). */
  public static StatusResult reached(HostPort agent, NodeStatus status, JsonNode document) {
    return new StatusResult(agent, Optional.of(status), "", Optional.of(document));
  }

  public static StatusResult unreachable(HostPort agent, String reason) {
    return new StatusResult(agent, Optional.empty(), reason.isBlank() ? "unknown error" : reason);
  }

  public boolean reachable() {
    return status.isPresent();
  }
}
