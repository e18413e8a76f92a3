package dev.redisha.coordination.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootIdsTest {
  private static final long NOW = 1_796_000_000_000L;
  private static final long HOUR = 3_600_000;

  @TempDir Path dir;

  @Test
  void aFirstStartTakesTheClockAndKeepsItForTheNextOwnerOnly() throws Exception {
    Path state = dir.resolve("state");
    assertEquals(NOW, BootIds.next(state, NOW));
    assertEquals(NOW + "\n", Files.readString(state.resolve("boot-id")));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("boot-id"))));
    assertEquals(false, Files.exists(state.resolve("boot-id.tmp")), "no temporary file left");
  }

  @Test
  void aStartWithTheClockBehindTheLastStartStillGetsAHigherBootId() {
    assertEquals(NOW, BootIds.next(dir, NOW));
    assertEquals(NOW + 1, BootIds.next(dir, NOW - HOUR), "an hour back");
    assertEquals(NOW + 2, BootIds.next(dir, NOW + 1), "the same millisecond as the last");
    assertEquals(NOW + HOUR, BootIds.next(dir, NOW + HOUR), "a clock ahead again is taken as it is");
  }

  @Test
  void anUnreadableRecordFallsBackToTheClockAndIsRewritten() throws Exception {
    Files.writeString(dir.resolve("boot-id"), "not a number");
    assertEquals(NOW - HOUR, BootIds.next(dir, NOW - HOUR));
    assertEquals((NOW - HOUR) + "\n", Files.readString(dir.resolve("boot-id")));
  }

  @Test
  void aStateDirectoryThatCannotBeWrittenStillGivesTheClock() throws Exception {
    Path notADirectory = dir.resolve("a-file");
    Files.writeString(notADirectory, "x");
    assertEquals(NOW, BootIds.next(notADirectory.resolve("state"), NOW));
  }
}
