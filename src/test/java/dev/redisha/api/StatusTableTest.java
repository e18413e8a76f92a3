package dev.redisha.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {

  @Test
  void rendersOneAlignedRowPerAgentIncludingUnreachableOnes() {
    List<StatusResult> results =
        List.of(
            StatusResult.reached(new HostPort("10.0.0.1", 8080), StatusSamples.master()),
            StatusResult.reached(new HostPort("10.0.0.2", 8080), StatusSamples.replica()),
            StatusResult.unreachable(new HostPort("10.0.0.3", 8080), "connection refused"));

    List<String> all = StatusTable.render(results).lines().toList();

    assertEquals("MAINTENANCE: paused, no automatic failover", all.get(0), "the group's pause above the table");
    List<String> lines = all.subList(1, all.size());
    assertEquals(4, lines.size());
    assertEquals(
        List.of(
            "NODE", "STATE", "ROLE", "REDIS", "PRIORITY", "EPOCH", "OFFSET", "LAG", "PERSIST",
            "KEYS", "NOTE"),
        List.of(lines.get(0).split(" +")));
    assertEquals(
        List.of("node-a", "MASTER", "master", "up", "100", "7", "123456", "-", "no", "42"),
        List.of(lines.get(1).split(" +")));
    assertEquals(
        List.of(
            "node-b", "REPLICA", "slave", "up", "50", "7", "123400", "56", "yes", "42",
            "paused,hold-down"),
        List.of(lines.get(2).split(" +")));
    assertTrue(lines.get(3).startsWith("10.0.0.3:8080 "), lines.get(3));
    assertTrue(lines.get(3).endsWith("unreachable: connection refused"), lines.get(3));
    int stateColumn = lines.get(0).indexOf("STATE");
    for (String line : lines.subList(1, 3)) {
      assertTrue(line.substring(stateColumn).matches("(MASTER|REPLICA) .*"), line);
    }
    assertEquals(lines.get(0).indexOf("NOTE"), lines.get(3).indexOf("unreachable"));
  }

  @Test
  void maintenanceAndAScheduledSwitchoverAreSaidAboveTheTableAndTheLastOutcomeBelow() {
    NodeStatus r = StatusSamples.replica();
    NodeStatus paused = new NodeStatus(r.group(), r.nodeId(), r.state(), r.priority(), r.epoch(), r.epochMaster(),
        r.redisAddress(), r.redisUp(), r.redisRole(), r.replOffset(), r.lagBytes(), r.persisting(), r.keys(),
        false, true, r.lastDecision(), r.peers(), "node-a", 1_796_205_600_000L, "", List.of(), "", List.of(),
        "switchover to node-b at 2026-12-02T10:30:00Z",
        "scheduled switchover to node-b at 2026-12-01T09:00:00Z refused at 2026-12-01T09:00:00Z: node-b lags");

    List<String> lines = StatusTable.render(List.of(StatusResult.reached(new HostPort("h", 1), paused))).lines().toList();

    assertEquals("MAINTENANCE: paused by node-a at 2026-12-02T10:00:00Z, no automatic failover", lines.get(0));
    assertEquals("scheduled switchover to node-b at 2026-12-02T10:30:00Z (cancel: redis-ha switchover --cancel)",
        lines.get(1));
    assertTrue(lines.get(3).contains("paused by node-a at 2026-12-02T10:00:00Z"), lines.get(3));
    assertEquals("last scheduled switchover to node-b at 2026-12-01T09:00:00Z refused at 2026-12-01T09:00:00Z:"
        + " node-b lags", lines.get(lines.size() - 1));
  }

  @Test
  void controlCharactersFromTheNetworkAreNotPrinted() {
    StatusResult result =
        StatusResult.unreachable(new HostPort("h", 1), "bad\u001b[2Jthing\nsecond line");

    String table = StatusTable.render(List.of(result));

    assertEquals(2, table.lines().count());
    assertFalse(table.contains("\u001b"), table);
  }
}
