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
  /** The master's agent reported its Redis failed and this node's own probe agreed. */
  public static final String MASTER_FAILED = "master_failed";
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
    if (why.contains("its agent has been silent")) {
      return why.contains("busy") ? MASTER_BUSY : MASTER_UNREACHABLE;
    }
    if (why.contains("its agent reports")) {
      return MASTER_FAILED;
    }
    return OTHER;
  }
}
