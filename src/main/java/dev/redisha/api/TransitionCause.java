package dev.redisha.api;

import dev.redisha.event.Event;

/**
 * A fixed vocabulary for why the master changed, for {@code /history}, {@code history} and the
 * {@code cause} label of the failover and switchover counters: label values must be few and
 * stable, where the decision's sentence names nodes and numbers.
 *
 * <p>An event carrying a {@code cause_code} field is taken at its word; until the decisions carry
 * one, the code is read from the decision's sentence, whose wording {@code MasterElection} fixes.
 */
public final class TransitionCause {
  public static final String BOOTSTRAP = "bootstrap";
  /**
   * The master's Redis failed: this node's probe found it refusing connections or restarted
   * (empty), or its agent reported it down and this node's probe agreed.
   */
  public static final String MASTER_FAILED = "master_failed";
  /** The master's agent announced it was stopping (shutdown of the agent or the host). */
  public static final String MASTER_STOPPED = "master_stopped";
  /** The master's agent went silent and this node's probes of its Redis failed too. */
  public static final String MASTER_UNREACHABLE = "master_unreachable";
  /** The master's agent went silent while its Redis stayed BUSY past health.busy_shutdown_after_ms. */
  public static final String MASTER_BUSY = "master_busy";
  /** {@code redis-ha switchover} or {@code POST /switchover}. */
  public static final String OPERATOR = "operator";
  /** A preferred (higher priority) replica in sync took its role back. */
  public static final String FAILBACK = "failback";
  public static final String OTHER = "other";

  private TransitionCause() {}

  /** The cause code of a "promote" or "handover" event. */
  public static String of(Event event) {
    Object code = event.fields().get("cause_code");
    if (code instanceof String s && !s.isBlank()) {
      return s;
    }
    String why = event.cause();
    if (event.type().equals("handover")) {
      if (why.startsWith("operator switchover")) {
        return OPERATOR;
      }
      return why.contains("has higher priority") ? FAILBACK : OTHER;
    }
    if (why.startsWith("no master yet")) {
      return BOOTSTRAP;
    }
    // "taking over from <node>: <why>", the wording of MasterElection.considerTakeover's callers.
    int colon = why.indexOf(": ");
    String evidence = why.startsWith("taking over from ") && colon > 0 ? why.substring(colon + 2) : why;
    if (evidence.startsWith("operator's forced failover")) {
      return OPERATOR;
    }
    if (evidence.startsWith("its agent has been silent")) {
      return evidence.contains("busy") ? MASTER_BUSY : MASTER_UNREACHABLE;
    }
    if (evidence.startsWith("its agent reports STOPPING")) {
      return MASTER_STOPPED;
    }
    if (evidence.startsWith("its agent reports") || evidence.startsWith("its Redis")) {
      return MASTER_FAILED;
    }
    return OTHER;
  }
}
