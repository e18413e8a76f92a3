package dev.redisha.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redisha.coordination.Decision;
import dev.redisha.event.EventLog;
import dev.redisha.health.RedisHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN rule 5: every change of decision reaches events.jsonl, whether a hook runs or not. */
class ControllerDecisionEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aFaultThatFiresNoHookStillLeavesADecisionEventAndEachChangeAddsOne() throws IOException {
    Journal journal = new Journal();
    List<String> hooks = new ArrayList<>();
    try (EventLog log = EventLog.openInStateDir(dir)) {
      RecordingRedis.Servers servers = new RecordingRedis.Servers(journal);
      servers.master("a", ControllerSafetyOrderTest.A, 0).refusing();
      Controller c = ControllerSafetyOrderTest.controller("a", ControllerSafetyOrderTest.A, servers,
          new RecordingCoordinator(journal), log::append, (hook, epoch) -> hooks.add(hook + " " + epoch),
          new RecordingEndpoints(journal));
      RedisHealth down = new RedisHealth(RedisHealth.Status.DOWN, "connection refused", Optional.empty(), false, 0);
      Decision fault = Decision.fault(4, "b", Optional.empty(), Decision.Cause.LOCAL_REDIS_DOWN, "my Redis is down: connection refused");

      c.apply(fault, down);
      c.apply(fault, down); // the same decision again: nothing new to record
      c.apply(Decision.fault(5, "b", Optional.empty(), Decision.Cause.LOCAL_REDIS_DOWN, "my Redis is down: connection refused"), down);
      c.apply(Decision.fault(5, "b", Optional.empty(), Decision.Cause.LOCAL_DATA_LOST, "my Redis restarted without its data"), down);
    }

    assertEquals(List.of(), hooks, "an agent that never served fires no notify_fault");
    List<JsonNode> decisions = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve(EventLog.FILE_NAME))) {
      JsonNode e = JSON.readTree(line);
      if (e.get("type").asText().equals("decision")) {
        decisions.add(e);
      }
    }
    assertEquals(List.of("4 fault my Redis is down: connection refused", "5 fault my Redis is down: connection refused",
            "5 fault my Redis restarted without its data"),
        decisions.stream().map(e -> e.get("epoch").asLong() + " " + e.get("fields").get("action").asText() + " "
            + e.get("cause").asText()).toList());
    assertEquals(List.of("local_redis_down", "local_redis_down", "local_data_lost"),
        decisions.stream().map(e -> e.get("fields").get("cause_code").asText()).toList(),
        "each decision event carries its fixed cause code beside the sentence");
  }
}
