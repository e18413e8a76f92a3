package dev.redisha.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2024-05-01T10:15:30.123Z");

  @TempDir Path stateDir;

  @Test
  void eventsAreWrittenAsJsonLinesAndSurviveReopen() throws Exception {
    Map<String, Object> steps = new LinkedHashMap<>();
    steps.put("fence_ms", 3);
    steps.put("promote_ms", 1);
    Event promote = new Event(T0, "node-b", "promote", "master node-a stopped answering", 4, steps);
    Event decision = new Event(T0.plusSeconds(1), "node-b", "decision", "no action: master", 4);
    Event demote = new Event(T0.plusSeconds(2), "node-b", "demote", "saw epoch 5 from node-a", 5);

    try (EventLog log = EventLog.openInStateDir(stateDir)) {
      log.append(promote);
      log.append(decision);
    }
    try (EventLog log = EventLog.openInStateDir(stateDir)) {
      log.append(demote);
    }

    List<String> lines = Files.readAllLines(stateDir.resolve("events.jsonl"));
    assertEquals(3, lines.size(), "one line per event, the reopened log appended: " + lines);
    JsonNode first = JSON.readTree(lines.get(0));
    assertEquals("2024-05-01T10:15:30.123Z", first.get("time").asText());
    assertEquals("node-b", first.get("node_id").asText());
    assertEquals("promote", first.get("type").asText());
    assertEquals("master node-a stopped answering", first.get("cause").asText());
    assertEquals(4, first.get("epoch").asLong());
    assertEquals(3, first.get("fields").get("fence_ms").asInt());
    List<Event> read = new ArrayList<>();
    for (String line : lines) {
      read.add(JSON.readValue(line, Event.class));
    }
    assertEquals(List.of(promote, decision, demote), read);
  }

  @Test
  void recentKeepsOnlyTheNewestEventsOldestFirst() throws Exception {
    try (EventLog log = EventLog.open(stateDir.resolve("events.jsonl"), 3)) {
      for (int i = 1; i <= 5; i++) {
        log.append(new Event(T0.plusSeconds(i), "n1", "decision", "step " + i, 1));
      }
      List<String> causes = log.recent().stream().map(Event::cause).toList();
      assertEquals(List.of("step 3", "step 4", "step 5"), causes);
    }
  }

  @Test
  void appendDoesNotThrowWhenTheDiskIsFull() throws Exception {
    Path full = Path.of("/dev/full");
    assumeTrue(Files.isWritable(full), "needs /dev/full to simulate a full disk");
    try (EventLog log = EventLog.open(full, 10)) {
      Event fault = new Event(T0, "n1", "fault", "redis stopped answering PING", 2);
      log.append(fault);
      log.append(fault);
      assertEquals(List.of(fault, fault), log.recent(), "events stay visible on the status page");
    }
  }

  @Test
  void appendAfterCloseIsKeptInMemoryWithoutThrowing() throws Exception {
    EventLog log = EventLog.openInStateDir(stateDir);
    log.close();
    log.append(new Event(T0, "n1", "hook", "notify_stop exited 0 in 3 ms", 2));
    assertEquals(1, log.recent().size());
    assertTrue(Files.readAllLines(log.file()).isEmpty());
  }

  @Test
  void everyEventAppendedBeforeCloseIsInTheFileInTheOrderEachThreadAppendedIt() throws Exception {
    int threads = 4;
    int each = 500;
    try (EventLog log = EventLog.openInStateDir(stateDir)) {
      List<Thread> appenders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String node = "n" + t;
        Thread a = new Thread(() -> {
          for (int i = 0; i < each; i++) {
            log.append(new Event(T0, node, "decision", Integer.toString(i), 1));
          }
        });
        appenders.add(a);
        a.start();
      }
      for (Thread a : appenders) {
        a.join();
      }
    }
    Map<String, Integer> next = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(stateDir.resolve("events.jsonl"));
    assertEquals(threads * each, lines.size(), "nothing appended before close is lost");
    for (String line : lines) {
      Event e = JSON.readValue(line, Event.class);
      int expected = next.getOrDefault(e.nodeId(), 0);
      assertEquals(Integer.toString(expected), e.cause(), "events of " + e.nodeId() + " out of order");
      next.put(e.nodeId(), expected + 1);
    }
  }
}
