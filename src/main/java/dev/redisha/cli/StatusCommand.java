package dev.redisha.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.redisha.api.StatusClient;
import dev.redisha.api.StatusJson;
import dev.redisha.api.StatusResult;
import dev.redisha.api.StatusTable;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code redis-ha status} (alias {@code list}): the group as every agent reports it over
 * {@code GET /status}; with {@code --watch}, again and again like {@code patronictl list -W}.
 */
@Command(name = "status", aliases = "list",
    description = "Show the group: node, state, role, health, priority, epoch, offset, lag, persistence, notes"
        + " (paused, hold-down, pending switchover). Exit 0: every agent answered; 3: some did not; 2: bad options.")
final class StatusCommand implements Callable<Integer> {
  @Mixin AgentTargets targets;

  @Option(names = "--json", description = "one JSON array per refresh: each agent's GET /status document (with its"
      + " recent events) plus \"agent\", or {\"agent\", \"error\"} for one that did not answer")
  boolean json;

  @Option(names = {"-W", "--watch"}, description = "refresh until Ctrl-C (or --watch-count)")
  boolean watch;

  @Option(names = {"-w", "--interval"}, paramLabel = "SECONDS", defaultValue = "2",
      description = "seconds between refreshes with --watch (default ${DEFAULT-VALUE})")
  double intervalSeconds;

  @Option(names = "--watch-count", paramLabel = "N", description = "with --watch: stop after N refreshes")
  Integer watchCount;

  @Override
  public Integer call() throws Exception {
    AgentTargets.Resolved resolved = targets.resolve("status");
    if (!resolved.ok()) {
      return resolved.exitCode();
    }
    if (watchCount != null && watchCount < 1) {
      System.err.println("status: --watch-count must be at least 1, got " + watchCount);
      return Exit.USAGE;
    }
    if (!(intervalSeconds >= 0.1 && intervalSeconds <= 3600)) {
      System.err.println("status: --interval must be between 0.1 and 3600 seconds, got " + intervalSeconds);
      return Exit.USAGE;
    }
    StatusClient client = new StatusClient(resolved.access());
    boolean repeat = watch || watchCount != null;
    // Clearing the screen is for a person at a terminal; a pipe gets one table after the other.
    boolean terminal = System.console() != null && !json;
    PrintStream out = System.out;
    int exit = Exit.OK;
    for (int round = 1; ; round++) {
      long started = System.nanoTime();
      List<StatusResult> results = client.fetchAll(resolved.agents());
      exit = results.stream().allMatch(StatusResult::reachable) ? Exit.OK : Exit.UNREACHABLE;
      if (json) {
        out.println(new String(StatusJson.write(documents(results)), StandardCharsets.UTF_8));
      } else {
        if (repeat) {
          out.print(terminal ? "\033[H\033[2J" : "");
          out.printf("%s  every %s s%s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS), trim(intervalSeconds),
              watchCount == null ? " (Ctrl-C to stop)" : "");
        }
        out.print(StatusTable.render(results));
      }
      out.flush();
      if (!repeat || (watchCount != null && round >= watchCount)) {
        return exit;
      }
      long waitNanos = (long) (intervalSeconds * 1e9) - (System.nanoTime() - started);
      if (waitNanos > 0) {
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000)); // the refresh period
      }
    }
  }

  /** The JSON form of one refresh; stable for scripts (README "Exit codes and JSON"). */
  static ArrayNode documents(List<StatusResult> results) {
    ArrayNode docs = JsonNodeFactory.instance.arrayNode();
    for (StatusResult r : results) {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      doc.put("agent", r.agent().toString());
      if (r.document().isPresent() && r.document().get().isObject()) {
        doc.setAll((ObjectNode) r.document().get());
      } else if (r.status().isPresent()) {
        doc.setAll((ObjectNode) StatusJson.tree(r.status().get()));
      } else {
        doc.put("error", r.failure());
      }
      docs.add(doc);
    }
    return docs;
  }

  private static String trim(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
  }
}
