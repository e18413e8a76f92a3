package dev.redisha.api;

import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Maintenance;
import java.util.ArrayList;
import java.util.List;

/** The text table {@code redis-ha status} prints: one row per agent, in the order asked. */
public final class StatusTable {
  private static final List<String> HEADER =
      List.of(
          "NODE", "STATE", "ROLE", "REDIS", "PRIORITY", "EPOCH", "OFFSET", "LAG", "PERSIST", "KEYS",
          "NOTE");
  private static final String GAP = "  ";

  private StatusTable() {}

  /** Fixed-width columns, one line per row, each ending in a newline. */
  public static String render(List<StatusResult> results) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (StatusResult result : results) {
      rows.add(result.status().map(StatusTable::row).orElseGet(() -> unreachableRow(result)));
    }
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    // The group's state above the table: the first thing to know when nothing fails over.
    groupLine(results, s -> s.paused() ? "MAINTENANCE: paused" + (s.pausedBy().isEmpty() ? "" : " by " + s.pausedBy()
        + " at " + Maintenance.instant(s.pausedAtMillis())) + ", no automatic failover" : "").ifPresent(l -> out.append(l).append('\n'));
    groupLine(results, s -> s.scheduledSwitchover().isEmpty() ? ""
        : "scheduled " + s.scheduledSwitchover() + " (cancel: redis-ha switchover --cancel)")
        .ifPresent(l -> out.append(l).append('\n'));
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length())).append(GAP);
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    // What an operator must look at, below the table: one line per agent and problem.
    for (StatusResult result : results) {
      result.status().ifPresent(s -> {
        if (!s.stateProblem().isEmpty()) {
          out.append(String.join("", cells(s.nodeId() + ": cannot write its state (no takeover until it can): "
              + s.stateProblem()))).append('\n');
        }
        for (String w : s.warnings()) {
          out.append(String.join("", cells(s.nodeId() + ": " + w))).append('\n');
        }
      });
    }
    groupLine(results, s -> s.scheduleOutcome().isEmpty() ? "" : "last " + s.scheduleOutcome())
        .ifPresent(l -> out.append(l).append('\n'));
    return out.toString();
  }

  /** A line about the whole group, from the first agent that has it ("" = none). */
  private static java.util.Optional<String> groupLine(List<StatusResult> results,
      java.util.function.Function<NodeStatus, String> line) {
    return results.stream().flatMap(r -> r.status().stream()).map(line).filter(l -> !l.isEmpty()).findFirst()
        .map(l -> String.join("", cells(l)));
  }

  private static List<String> row(NodeStatus status) {
    List<String> notes = new ArrayList<>();
    if (status.paused()) {
      notes.add(status.pausedBy().isEmpty() ? "paused" : "paused by " + status.pausedBy() + " at "
          + Maintenance.instant(status.pausedAtMillis()));
    }
    if (!status.stateProblem().isEmpty()) {
      notes.add("state-unwritable");
    }
    if (!status.pendingSwitchover().isEmpty()) {
      notes.add("switchover pending " + status.pendingSwitchover());
    }
    if (status.holdDown()) {
      notes.add("hold-down");
    }
    return cells(
        status.nodeId(),
        orDash(status.state()),
        orDash(status.redisRole()),
        status.redisUp() ? "up" : "down",
        Integer.toString(status.priority()),
        Long.toString(status.epoch()),
        Long.toString(status.replOffset()),
        // A master has no lag; 0 would read as "a replica that is caught up".
        status.state() == AgentState.MASTER ? "-" : Long.toString(status.lagBytes()),
        status.persisting() ? "yes" : "no",
        Long.toString(status.keys()),
        String.join(",", notes));
  }

  private static List<String> unreachableRow(StatusResult result) {
    return cells(
        result.agent().toString(), "-", "-", "-", "-", "-", "-", "-", "-", "-",
        "unreachable: " + result.failure());
  }

  // An agent of another version may leave a field out.
  private static String orDash(Object value) {
    return value == null || value.toString().isEmpty() ? "-" : value.toString();
  }

  // Every value comes from the network (an agent's node id, an error message); control
  // characters could break the layout or send escape sequences to the operator's terminal.
  private static List<String> cells(String... values) {
    List<String> cells = new ArrayList<>(values.length);
    for (String value : values) {
      cells.add(value == null ? "" : value.replaceAll("\\p{Cntrl}", " "));
    }
    return cells;
  }
}
