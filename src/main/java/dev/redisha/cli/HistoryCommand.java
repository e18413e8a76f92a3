package dev.redisha.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.redisha.api.StatusClient;
import dev.redisha.api.StatusJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code redis-ha history}: every change of master the group's agents recorded, merged from each
 * agent's {@code GET /history} (a takeover is in the log of the node that took over, a switchover
 * in the log of the master that handed over), oldest first.
 */
@Command(name = "history", description = "Past changes of master: time, epoch, kind, from, to, cause, outage, merged"
    + " from every agent's event log. Exit 0: every agent answered; 3: some did not (the others' are shown).")
final class HistoryCommand implements Callable<Integer> {
  private static final List<String> HEADER =
      List.of("TIME", "EPOCH", "KIND", "FROM", "TO", "CAUSE", "OUTAGE_MS", "REASON");

  @Mixin AgentTargets targets;

  @Option(names = "--json", description = "{\"transitions\": [...], \"unreachable\": [{\"agent\", \"error\"}]}")
  boolean json;

  @Override
  public Integer call() {
    AgentTargets.Resolved resolved = targets.resolve("history");
    if (!resolved.ok()) {
      return resolved.exitCode();
    }
    StatusClient client = new StatusClient(resolved.access());
    List<CompletableFuture<StatusClient.Fetched>> pending =
        resolved.agents().stream().map(a -> client.fetchJson(a, "/history")).toList();
    // One transition is in one agent's log; the same agent named twice (--config and --api)
    // must not show it twice.
    Map<String, JsonNode> merged = new LinkedHashMap<>();
    ArrayNode unreachable = JsonNodeFactory.instance.arrayNode();
    for (CompletableFuture<StatusClient.Fetched> f : pending) {
      StatusClient.Fetched answer = f.join();
      if (answer.body().isEmpty()) {
        unreachable.addObject().put("agent", answer.agent().toString()).put("error", answer.failure());
        continue;
      }
      for (JsonNode t : answer.body().get().path("transitions")) {
        merged.putIfAbsent(t.path("recorded_by").asText() + "|" + t.path("time").asText() + "|"
            + t.path("epoch").asLong(), t);
      }
    }
    List<JsonNode> transitions = new ArrayList<>(merged.values());
    // ISO-8601 UTC instants sort as text; the epoch breaks ties of one millisecond.
    transitions.sort(Comparator.comparing((JsonNode t) -> t.path("time").asText())
        .thenComparingLong(t -> t.path("epoch").asLong()));
    if (json) {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      doc.putArray("transitions").addAll(transitions);
      doc.set("unreachable", unreachable);
      System.out.println(new String(StatusJson.write(doc), StandardCharsets.UTF_8));
    } else {
      System.out.print(table(transitions));
      for (JsonNode u : unreachable) {
        System.err.println(clean(u.path("agent").asText()) + ": unreachable: " + clean(u.path("error").asText()));
      }
    }
    return unreachable.isEmpty() ? Exit.OK : Exit.UNREACHABLE;
  }

  static String table(List<JsonNode> transitions) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (JsonNode t : transitions) {
      long outage = t.path("outage_ms").asLong(-1);
      rows.add(List.of(clean(t.path("time").asText()), Long.toString(t.path("epoch").asLong()),
          clean(t.path("kind").asText()), dash(clean(t.path("from").asText())), dash(clean(t.path("to").asText())),
          clean(t.path("cause").asText()), outage < 0 ? "-" : Long.toString(outage), clean(t.path("reason").asText())));
    }
    int[] widths = new int[HEADER.size()];
    rows.forEach(r -> {
      for (int i = 0; i < r.size(); i++) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    });
    StringBuilder out = new StringBuilder();
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(r.get(i)).append(" ".repeat(widths[i] - r.get(i).length())).append("  ");
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static String dash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  // Values come from the network: no control characters reach the operator's terminal.
  private static String clean(String s) {
    return s.replaceAll("\\p{Cntrl}", " ");
  }
}
