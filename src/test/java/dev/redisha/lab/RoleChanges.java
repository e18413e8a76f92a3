package dev.redisha.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redisha.event.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the agents did to the master role in a time window, from their event logs
 * ({@code <state_dir>/events.jsonl}), as control/Controller records it: "promote" is a node making
 * its own Redis master (a takeover: fence, new epoch, promote); "handover" is the master handing the
 * role to another node by a planned switchover (success=true: it moved); "demote" is a node turning
 * its own master Redis into a replica. "persistence" events count against the node that was master
 * when they happened, found by walking promotes and successful handovers in time order.
 */
final class RoleChanges {
  private static final ObjectMapper JSON = new ObjectMapper();

  final List<Event> promotes = new ArrayList<>();
  final List<Event> handovers = new ArrayList<>();
  final List<Event> failedHandovers = new ArrayList<>();
  final List<Event> demotes = new ArrayList<>();
  final List<Event> masterPersistence = new ArrayList<>();
  final List<Event> replicaPersistence = new ArrayList<>();
  /** node id, then event type, to how many. */
  final Map<String, Map<String, Integer>> byType = new TreeMap<>();

  /** @param masterAtStart the node that was master when the window opened */
  static RoleChanges in(List<Event> events, Instant from, Instant to, String masterAtStart) {
    RoleChanges c = new RoleChanges();
    String master = masterAtStart;
    for (Event e : events) {
      if (e.time().isBefore(from) || !e.time().isBefore(to)) {
        continue;
      }
      c.byType.computeIfAbsent(e.nodeId(), k -> new TreeMap<>()).merge(e.type(), 1, Integer::sum);
      switch (e.type()) {
        case "promote" -> {
          c.promotes.add(e);
          master = e.nodeId();
        }
        case "handover" -> {
          if (Boolean.TRUE.equals(e.fields().get("success"))) {
            c.handovers.add(e);
            master = String.valueOf(e.fields().get("to"));
          } else {
            c.failedHandovers.add(e);
          }
        }
        case "demote" -> c.demotes.add(e);
        case "persistence" -> (e.nodeId().equals(master) ? c.masterPersistence : c.replicaPersistence).add(e);
        default -> { }
      }
    }
    return c;
  }

  /** Every event of the given state directories, oldest first. */
  static List<Event> read(List<Path> stateDirs) throws IOException {
    List<Event> all = new ArrayList<>();
    for (Path dir : stateDirs) {
      Path file = dir.resolve("events.jsonl");
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          all.add(JSON.readValue(line, Event.class));
        }
      }
    }
    all.sort(Comparator.comparing(Event::time));
    return all;
  }

  static String describe(Event e) {
    return e.time() + " " + e.nodeId() + " " + e.type() + " (epoch " + e.epoch() + "): " + e.cause()
        + (e.fields().isEmpty() ? "" : " " + e.fields());
  }
}
