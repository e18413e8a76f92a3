package dev.redisha.api;

import java.util.Optional;

/**
 * The operator commands the HTTP API forwards to the agent (DESIGN §6). The API has already
 * checked the token; the implementation decides whether the command is safe now.
 */
public interface OperationHandler {

  /** A zero-loss handover of the master role (DESIGN §3 rule 3), to {@code toNode} if given. */
  OperationResult switchover(Optional<String> toNode);

  /** Drops a pending switchover ({@code POST /switchover?cancel=true}). */
  default OperationResult cancelSwitchover() {
    return OperationResult.refused("cancelling a switchover is not supported here");
  }

  /**
   * A switchover to {@code toNode} at {@code at} (ISO-8601 or "+10m"), kept for the whole group
   * ({@code POST /switchover?to=b&at=...}).
   */
  default OperationResult scheduleSwitchover(String toNode, String at) {
    return OperationResult.refused("scheduling a switchover is not supported here");
  }

  /**
   * A forced failover to {@code toNode} for a master that is gone or broken ({@code POST
   * /failover?to=b[&allow_data_loss=true]}).
   */
  default OperationResult failover(String toNode, boolean allowDataLoss) {
    return OperationResult.refused("a forced failover is not supported here");
  }

  /** Maintenance mode: no automatic failover until {@link #resume()}. */
  OperationResult pause();

  /** Ends maintenance mode. */
  OperationResult resume();
}
