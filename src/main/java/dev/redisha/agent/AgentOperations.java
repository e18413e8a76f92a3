package dev.redisha.agent;

import dev.redisha.api.OperationHandler;
import dev.redisha.api.OperationResult;
import dev.redisha.coordination.Coordinator;
import java.util.Optional;

/** Operator commands from the HTTP API, passed to the coordinator that decides when they are safe. */
final class AgentOperations implements OperationHandler {
  private final Coordinator coordinator;

  AgentOperations(Coordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public OperationResult switchover(Optional<String> toNode) {
    Optional<String> refused = coordinator.requestSwitchover(toNode);
    if (refused.isPresent()) {
      return OperationResult.refused("switchover refused: " + refused.get());
    }
    return OperationResult.accepted("switchover accepted" + toNode.map(n -> " to " + n).orElse("")
        + "; pending: " + coordinator.pendingSwitchover());
  }

  @Override
  public OperationResult cancelSwitchover() {
    return coordinator.cancelSwitchover()
        ? OperationResult.accepted("pending switchover cancelled")
        : OperationResult.refused("no switchover is pending");
  }

  @Override
  public OperationResult pause() {
    boolean durable = coordinator.setPaused(true);
    return OperationResult.accepted("maintenance mode for the whole group: no automatic failover or failback until resume"
        + (durable ? "" : "; WARNING: not on disk (" + coordinator.stateProblem() + "), an agent restart now forgets it"));
  }

  @Override
  public OperationResult resume() {
    boolean durable = coordinator.setPaused(false);
    return OperationResult.accepted("automatic failover resumed for the whole group"
        + (durable ? "" : "; WARNING: not on disk (" + coordinator.stateProblem() + ")"));
  }
}
