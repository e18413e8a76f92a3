package dev.redisha.agent;

import dev.redisha.api.OperationHandler;
import dev.redisha.api.OperationResult;
import dev.redisha.coordination.AgentState;
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
    if (coordinator.state() != AgentState.MASTER) {
      return OperationResult.refused("this node is not the master (" + coordinator.state()
          + "); send the switchover to the master's agent (" + coordinator.epochMaster() + ")");
    }
    coordinator.requestSwitchover(toNode);
    return OperationResult.accepted("switchover requested" + toNode.map(n -> " to " + n).orElse("")
        + "; it runs as soon as the target is an in-sync replica");
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
