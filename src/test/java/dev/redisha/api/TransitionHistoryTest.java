package dev.redisha.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.event.Event;
import dev.redisha.event.EventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransitionHistoryTest {
  @TempDir Path dir;

  @Test
  void takeoversAndSuccessfulHandoversAreTransitionsAndNothingElseIs() throws Exception {
    Instant t = Instant.parse("2024-05-01T10:00:00Z");
    Path file = dir.resolve(EventLog.FILE_NAME);
    try (EventLog log = EventLog.open(file, 10)) {
      log.append(new Event(t, "a", "promote", "no master yet and I hold the best data (0 keys, data epoch 0)", 1,
          Map.of("commit_epoch_ms", 1, "promote_ms", 1, "total_ms", 3)));
      log.append(new Event(t.plusSeconds(1), "a", "persistence", "persistence off: an in-sync replica persists", 1));
      log.append(new Event(t.plusSeconds(2), "a", "handover", "operator switchover to b: switched", 2,
          Map.of("to", "b", "success", true, "pause_ms", 12, "total_ms", 40)));
      log.append(new Event(t.plusSeconds(3), "b", "handover", "a has higher priority and is in sync: handing the"
          + " master role back: target behind", 2, Map.of("to", "a", "success", false, "total_ms", 2000)));
      log.append(new Event(t.plusSeconds(4), "a", "promote", "taking over from b: its agent has been silent for 412 ms"
          + " and its Redis refused the connection", 3, Map.of("fence", "unreachable", "commit_epoch_ms", 2,
          "promote_ms", 1, "total_ms", 5)));
      log.append(new Event(t.plusSeconds(5), "a", "promote", "I am master of epoch 3", 3, Map.of("promote_ms", 1)));
    }
    // A line torn by a full disk, as the event log leaves it, is skipped.
    Files.writeString(file, "{\"time\":\"2024-05-01T10:00:09Z\",\"type\":\"promote\",\"cau\n", StandardOpenOption.APPEND);

    List<Transition> history = TransitionHistory.read(file);

    assertEquals(3, history.size(), history.toString());
    assertEquals(List.of("bootstrap", "switchover", "failover"), history.stream().map(Transition::kind).toList());
    assertEquals(List.of("bootstrap", "operator", "master_unreachable"),
        history.stream().map(Transition::cause).toList());
    Transition switchover = history.get(1);
    assertEquals("a", switchover.from());
    assertEquals("b", switchover.to());
    assertEquals(12, switchover.outageMs(), "a switchover's outage is its write pause");
    Transition failover = history.get(2);
    assertEquals("b", failover.from());
    assertEquals("a", failover.to());
    assertEquals(3, failover.epoch());
    assertEquals("2024-05-01T10:00:04Z", failover.time());
  }

  @Test
  void maintenanceRequestsAndARefusedScheduledSwitchoverAreListedBesideTheTransitions() throws Exception {
    Instant t = Instant.parse("2024-05-01T10:00:00Z");
    Path file = dir.resolve(EventLog.FILE_NAME);
    try (EventLog log = EventLog.open(file, 10)) {
      log.append(new Event(t, "a", "maintenance", "paused by the operator: no automatic failover or failback", 3,
          Map.of("action", "pause")));
      log.append(new Event(t.plusSeconds(1), "b", "maintenance", "scheduled switchover to b at 2024-05-01T10:30:00Z by"
          + " the operator", 3, Map.of("action", "schedule", "to", "b", "at", "2024-05-01T10:30:00Z")));
      log.append(new Event(t.plusSeconds(2), "a", "decision", "scheduled switchover to b at 2024-05-01T10:30:00Z refused"
          + " at 2024-05-01T10:30:00Z: b is not an in-sync replica: link down", 3,
          Map.of("action", "master", "master", "a", "cause_code", "scheduled_switchover_refused")));
      log.append(new Event(t.plusSeconds(3), "a", "decision", "I am master of epoch 3", 3,
          Map.of("action", "master", "master", "a", "cause_code", "master_of_epoch")));
      log.append(new Event(t.plusSeconds(4), "a", "maintenance", "resumed by the operator: automatic failover on again",
          3, Map.of("action", "resume")));
    }

    List<Transition> history = TransitionHistory.read(file);

    assertEquals(List.of("pause", "schedule", "scheduled-switchover-refused", "resume"),
        history.stream().map(Transition::kind).toList());
    assertEquals("b", history.get(1).to());
    assertEquals("a", history.get(2).recordedBy());
    assertEquals(-1, history.get(0).outageMs(), "no outage for a request");
  }

  @Test
  void aMissingEventLogIsAnEmptyHistory() throws Exception {
    assertEquals(List.of(), TransitionHistory.read(dir.resolve("none.jsonl")));
  }

  @Test
  void causesFollowTheWordingOfTheElection() {
    String[][] cases = {
        {"taking over from a: its Redis refuses connections", "master_failed"},
        {"taking over from a: its Redis restarted (new run id, its data is gone)", "master_failed"},
        {"taking over from a: its agent reports FAULT (its Redis is down) and my probe agrees: its Redis refuses"
            + " connections", "master_failed"},
        {"taking over from a: its agent reports STOPPING", "master_stopped"},
        {"taking over from a: its agent has been silent for 400 ms and its Redis does not answer", "master_unreachable"},
        {"taking over from a: its agent has been silent for 400 ms and its Redis busy for 9000 ms (past"
            + " health.busy_shutdown_after_ms)", "master_busy"},
        {"no master yet and I hold the best data (3 keys, data epoch 2)", "bootstrap"}};
    for (String[] c : cases) {
      assertEquals(c[1], TransitionCause.of(new Event(Instant.EPOCH, "b", "promote", c[0], 2,
          Map.of("commit_epoch_ms", 1))), c[0]);
    }
  }

  @Test
  void anExplicitCauseCodeWins() {
    Event e = new Event(Instant.EPOCH, "a", "promote", "taking over from b: whatever", 4,
        Map.of("commit_epoch_ms", 1, "total_ms", 2, "cause_code", "master_fenced"));
    assertEquals("master_fenced", TransitionCause.of(e));
  }
}
