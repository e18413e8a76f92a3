package dev.redisha.api;

/**
 * The answer to an operator command. {@code accepted=false} is a refusal the operator can act on
 * ("node-c is not an in-sync replica"), not an error.
 */
public record OperationResult(boolean accepted, String message) {

  public static OperationResult accepted(String message) {
    return new OperationResult(true, message);
  }

  public static OperationResult refused(String message) {
    return new OperationResult(false, message);
  }
}
