package dev.redisha.agent;

import dev.redisha.api.OperationHandler;
import dev.redisha.api.OperationResult;
import dev.redisha.coordination.Coordinator;
import dev.redisha.coordination.Maintenance;
import dev.redisha.coordination.SwitchoverTime;
import dev.redisha.event.Event;
import dev.redisha.event.EventType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Operator commands from the HTTP API, passed to the coordinator that decides when they are safe. */
final class AgentOperations implements OperationHandler {
  private final Coordinator coordinator;
  private final Consumer<Event> events;
  private final String me;

  /** @param events where a request that changed the group's maintenance record is recorded (history) */
  AgentOperations(Coordinator coordinator, Consumer<Event> events, String me) {
    this.coordinator = coordinator;
    this.events = events;
    this.me = me;
  }

  private void record(String action, String what, Map<String, Object> more) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("action", action);
    fields.putAll(more);
    events.accept(new Event(Instant.now(), me, EventType.MAINTENANCE, what, coordinator.epoch(), fields));
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
    String scheduled = coordinator.maintenance().describeSchedule();
    if (!coordinator.cancelSwitchover()) {
      return OperationResult.refused("no switchover is pending or scheduled");
    }
    if (scheduled.isEmpty()) {
      return OperationResult.accepted("pending switchover cancelled");
    }
    record("cancel", "scheduled " + scheduled + " cancelled by the operator", Map.of());
    return OperationResult.accepted("scheduled " + scheduled + " cancelled for the whole group");
  }

  @Override
  public OperationResult scheduleSwitchover(String toNode, String at) {
    long due;
    try {
      due = SwitchoverTime.parse(at, System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      return OperationResult.refused("switchover not scheduled: " + e.getMessage());
    }
    Optional<String> refused = coordinator.scheduleSwitchover(toNode, due);
    if (refused.isPresent()) {
      return OperationResult.refused("switchover not scheduled: " + refused.get());
    }
    Maintenance m = coordinator.maintenance();
    record("schedule", "scheduled " + m.describeSchedule() + " by the operator",
        Map.of("to", m.scheduledTo(), "at", Maintenance.instant(m.scheduledAtMillis())));
    return OperationResult.accepted("scheduled " + m.describeSchedule()
        + " for the whole group; it runs then with the checks of a switchover (cancel: switchover --cancel)");
  }

  @Override
  public OperationResult failover(String toNode, boolean allowDataLoss) {
    Optional<String> refused = coordinator.requestFailover(toNode, allowDataLoss);
    if (refused.isPresent()) {
      return OperationResult.refused("failover refused: " + refused.get());
    }
    return OperationResult.accepted("forced failover to " + toNode + " accepted; pending: " + coordinator.pendingSwitchover());
  }

  @Override
  public OperationResult pause() {
    boolean was = coordinator.paused();
    boolean durable = coordinator.setPaused(true);
    if (!was) {
      // Only where it changed: the CLI sends a pause to every agent, and history merges them all.
      record("pause", "paused by the operator: no automatic failover or failback", Map.of());
    }
    return OperationResult.accepted("maintenance mode for the whole group: no automatic failover or failback until resume"
        + (durable ? "" : "; WARNING: not on disk (" + coordinator.stateProblem() + "), an agent restart now forgets it"));
  }

  @Override
  public OperationResult resume() {
    boolean was = coordinator.paused();
    boolean durable = coordinator.setPaused(false);
    if (was) {
      record("resume", "resumed by the operator: automatic failover on again", Map.of());
    }
    return OperationResult.accepted("automatic failover resumed for the whole group"
        + (durable ? "" : "; WARNING: not on disk (" + coordinator.stateProblem() + ")"));
  }
}
