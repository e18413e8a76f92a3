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

  /** Maintenance mode: no automatic failover until {@link #resume()}. */
  OperationResult pause();

  /** Ends maintenance mode. */
  OperationResult resume();
}
