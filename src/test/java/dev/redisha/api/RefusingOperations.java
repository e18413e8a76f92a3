package dev.redisha.api;

import java.util.Optional;

/** Operations for API tests that only read: every request is refused, nothing changes. */
final class RefusingOperations implements OperationHandler {
  @Override
  public OperationResult switchover(Optional<String> toNode) {
    return OperationResult.refused("test");
  }

  @Override
  public OperationResult pause() {
    return OperationResult.refused("test");
  }

  @Override
  public OperationResult resume() {
    return OperationResult.refused("test");
  }
}
