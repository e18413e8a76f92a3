package dev.redisha.event;

/**
 * Every kind of event the agent writes to {@code events.jsonl}, and nothing it does not write
 * (as Sentinel's fixed event names: the log, the docs and a reader's filter use the same words).
 * docs/operations.md lists exactly these; {@code EventTypeTest} keeps the two equal.
 */
public enum EventType {
  // The agent's life.
  START,
  STOP,
  /** A change of decision: action, epoch or reason (logged too), hook or not. */
  DECISION,
  // Roles, as the controller changes them.
  PROMOTE,
  DEMOTE,
  FOLLOW,
  HANDOVER,
  FENCE_FAILED,
  TAKEOVER_ABORTED,
  ACTION_FAILED,
  // Persistence (DESIGN rule 4).
  PERSISTENCE,
  PERSISTENCE_POLICY,
  PERSISTENCE_OUTSIDE_CHANGE,
  PERSISTENCE_WAIT,
  // A local Redis answering BUSY.
  REDIS_BUSY,
  REDIS_BUSY_OVER,
  BUSY_STEP_FAILED,
  BUSY_NO_SHUTDOWN,
  SCRIPT_KILL,
  SCRIPT_KILLED,
  SCRIPT_UNKILLABLE,
  REDIS_SHUTDOWN,
  REDIS_SHUTDOWN_FAILED,
  // The managed redis-server process.
  REDIS_START,
  REDIS_START_FAILED,
  REDIS_START_SLOW,
  REDIS_EXIT,
  REDIS_STOP,
  REDIS_ADOPT,
  REDIS_PORT_TAKEN,
  // Endpoints and hooks.
  ENDPOINT,
  HOOK;

  /** The name in {@code events.jsonl}: lower case, words joined by '-' ("fence-failed"). */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
