package dev.redisha.event;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redisha.config.HooksConfig;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookRunnerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private HookRunner runner;

  @AfterEach
  void closeRunner() {
    if (runner != null) {
      runner.close();
    }
  }

  @Test
  void hooksRunOneAfterAnotherInTheOrderFired() throws Exception {
    Path order = dir.resolve("order");
    String appendName = "echo \"$REDIS_HA_STATE\" >> '" + order + "'\n";
    // The first hook is the slowest: run concurrently, it would finish last.
    Path master = script("master.sh", "sleep 0.1\n" + appendName);
    Path backup = script("backup.sh", appendName);
    Path fault = script("fault.sh", appendName);
    runner = runner(5_000, master, backup, fault, null);

    runner.fire(HookType.MASTER, "cache", "n1", 7);
    runner.fire(HookType.BACKUP, "cache", "n1", 8);
    runner.fire(HookType.FAULT, "cache", "n1", 8);

    Await.until("three hooks reported", WAIT, () -> events.size() == 3);
    assertEquals(List.of("MASTER", "BACKUP", "FAULT"), Files.readAllLines(order));
  }

  @Test
  void hookGetsKeepalivedArgumentsAndItsEnvironmentButNotTheAgents() throws Exception {
    Path envDump = dir.resolve("env");
    Path master =
        script(
            "master.sh",
            "env > '" + envDump + "'\n"
                + "echo \"$1 $2 $3|$REDIS_HA_GROUP|$REDIS_HA_NODE|$REDIS_HA_STATE\""
                + " \"$REDIS_HA_EPOCH\"\n");
    runner = runner(5_000, master, null, null, null);

    runner.fire(HookType.MASTER, "cache", "node-a", 12);

    Await.until("the hook reported", WAIT, () -> events.size() == 1);
    Event event = events.get(0);
    assertEquals("hook", event.type());
    assertEquals("node-a", event.nodeId());
    assertEquals(12, event.epoch());
    assertEquals("notify_master", event.fields().get("hook"));
    assertEquals(0, event.fields().get("exit"));
    assertEquals("GROUP cache MASTER|cache|node-a|MASTER 12", event.fields().get("output"));

    // Anything the agent's own environment holds beyond the basics could be a secret.
    Optional<String> agentOnly =
        System.getenv().keySet().stream()
            .filter(name -> !List.of("PATH", "LANG", "LC_ALL", "TZ", "HOME", "PWD").contains(name))
            .filter(name -> name.matches("[A-Za-z_][A-Za-z0-9_]*"))
            .findFirst();
    assumeTrue(agentOnly.isPresent(), "the test JVM has no other environment variable");
    String hookEnv = Files.readString(envDump);
    assertFalse(
        hookEnv.lines().anyMatch(line -> line.startsWith(agentOnly.get() + "=")),
        agentOnly.get() + " leaked into the hook's environment");
  }

  @Test
  void fireReturnsBeforeTheHookFinishes() throws Exception {
    Path gate = dir.resolve("gate");
    // The hook can only finish once the test opens the gate, which it does after fire()
    // returned; if fire() waited for the hook, the hook would hit its timeout instead.
    Path master = script("master.sh", "while [ ! -e '" + gate + "' ]; do sleep 0.01; done\n");
    runner = runner(30_000, master, null, null, null);

    runner.fire(HookType.MASTER, "cache", "n1", 1);
    Files.createFile(gate);

    Await.until("the hook reported", WAIT, () -> events.size() == 1);
    assertEquals(0, events.get(0).fields().get("exit"));
  }

  @Test
  void hookPastItsTimeoutIsKilledWithItsChildrenAndTheNextHookStillRuns() throws Exception {
    Path sleepPid = dir.resolve("sleep.pid");
    Path master = script("master.sh", "sleep 30 &\necho $! > '" + sleepPid + "'\nwait\n");
    Path backup = script("backup.sh", "echo backup ran\n");
    runner = runner(300, master, backup, null, null);

    runner.fire(HookType.MASTER, "cache", "n1", 3);
    runner.fire(HookType.BACKUP, "cache", "n1", 4);

    Await.until("both hooks reported", WAIT, () -> events.size() == 2);
    Event killed = events.get(0);
    assertEquals("notify_master", killed.fields().get("hook"));
    assertEquals("timeout", killed.fields().get("exit"));
    assertTrue(killed.cause().contains("300 ms timeout"), killed.cause());
    Event next = events.get(1);
    assertEquals("notify_backup", next.fields().get("hook"));
    assertEquals(0, next.fields().get("exit"));
    assertEquals("backup ran", next.fields().get("output"));

    long pid = Long.parseLong(Files.readString(sleepPid).strip());
    Await.until("the hook's sleep child is gone", WAIT, () -> isGone(pid));
  }

  @Test
  void failingHookIsReportedWithItsExitCodeAndOutput() throws Exception {
    Path fault = script("fault.sh", "echo 'vip release failed' >&2\nexit 3\n");
    runner = runner(5_000, null, null, fault, null);

    runner.fire(HookType.FAULT, "cache", "n1", 2);

    Await.until("the hook reported", WAIT, () -> events.size() == 1);
    Event event = events.get(0);
    assertEquals(3, event.fields().get("exit"));
    assertEquals("vip release failed", event.fields().get("output"));
    assertTrue(event.cause().startsWith("notify_fault exited 3"), event.cause());
  }

  @Test
  void hookThatCannotStartIsReported() throws Exception {
    Path notExecutable = dir.resolve("backup.sh");
    Files.writeString(notExecutable, "#!/bin/sh\nexit 0\n");
    runner = runner(5_000, null, notExecutable, null, null);

    runner.fire(HookType.BACKUP, "cache", "n1", 2);

    Await.until("the hook reported", WAIT, () -> events.size() == 1);
    assertEquals("not started", events.get(0).fields().get("exit"));
  }

  @Test
  void missingHookIsSkipped() throws Exception {
    Path master = script("master.sh", "exit 0\n");
    runner = runner(5_000, master, null, null, null);

    runner.fire(HookType.STOP, "cache", "n1", 1);
    runner.fire(HookType.MASTER, "cache", "n1", 1);

    // Hooks report in firing order, so a report for notify_stop would already be here.
    Await.until("notify_master reported", WAIT, () -> events.size() >= 1);
    List<Object> reported = events.stream().map(e -> e.fields().get("hook")).toList();
    assertEquals(List.of("notify_master"), reported);
  }

  @Test
  void closeLetsAFiredStopHookRun() throws Exception {
    Path stop = script("stop.sh", "echo stopping\n");
    runner = runner(5_000, null, null, null, stop);

    runner.fire(HookType.STOP, "cache", "n1", 1);
    runner.close();

    assertEquals(1, events.size());
    assertEquals("stopping", events.get(0).fields().get("output"));
    assertDoesNotThrow(() -> runner.fire(HookType.STOP, "cache", "n1", 1), "fire after close");
  }

  /** A runner for the given scripts; null means that hook is not configured. */
  private HookRunner runner(long timeoutMs, Path master, Path backup, Path fault, Path stop) {
    HooksConfig hooks =
        new HooksConfig(
            Optional.ofNullable(master),
            Optional.ofNullable(backup),
            Optional.ofNullable(fault),
            Optional.ofNullable(stop),
            timeoutMs);
    return new HookRunner(hooks, events::add);
  }

  private Path script(String name, String body) throws IOException {
    Path path = dir.resolve(name);
    Files.writeString(path, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
    return path;
  }

  // A killed process whose parent died may linger as a zombie until init reaps it; it no longer
  // runs, which is what the timeout promises.
  private static boolean isGone(long pid) {
    Path stat = Path.of("/proc/" + pid + "/stat");
    try {
      String text = Files.readString(stat);
      return text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }
}
