package dev.redisha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateStoreTest {
  @TempDir Path dir;

  @Test
  void savedStateWithMaintenanceIsLoadedBack() {
    FileStateStore store = new FileStateStore(dir);
    DurableState st = new DurableState(7, "b", 7, "run-b", true, new Maintenance(true, 3, "a", 1_700_000_000_000L));
    store.save(st);
    assertEquals(st, new FileStateStore(dir).load());
  }

  @Test
  void aScheduledSwitchoverIsKeptAndAFileFromBeforeSchedulesLoadsWithoutOne() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    Maintenance m = new Maintenance(false, 3, "a", 1).schedule("b", 1_800_000_000_000L, "a");
    DurableState st = new DurableState(7, "a", 7, "run-a", false, m);
    store.save(st);
    assertEquals(st, new FileStateStore(dir).load());

    Files.writeString(dir.resolve("state.json"), "{\"epoch\":4,\"epochMaster\":\"a\",\"dataEpoch\":4,\"dataRunId\":\"r\","
        + "\"persisting\":false,\"maintenance\":{\"paused\":true,\"version\":2,\"by\":\"b\",\"atMillis\":5}}");
    assertEquals(new Maintenance(true, 2, "b", 5), new FileStateStore(dir).load().maintenance());
  }

  @Test
  void aFileWrittenBeforeMaintenanceWasKeptLoadsAsNotPaused() throws Exception {
    Files.writeString(dir.resolve("state.json"),
        "{\"epoch\":4,\"epochMaster\":\"a\",\"dataEpoch\":4,\"dataRunId\":\"r\",\"persisting\":false}");
    DurableState st = new FileStateStore(dir).load();
    assertEquals(new DurableState(4, "a", 4, "r", false), st);
    assertEquals(Maintenance.NONE, st.maintenance());
  }

  @Test
  void aFailedSaveThrowsKeepsTheOldFileAndLeavesNoTemporaryFile() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    DurableState old = new DurableState(3, "a", 3, "run-a", false);
    store.save(old);
    Path blocker = dir.resolve("state.json.tmp");
    // A directory where the temporary file must go makes the write fail, for root too.
    Files.createDirectory(blocker);
    Files.writeString(blocker.resolve("x"), "x");

    assertThrows(UncheckedIOException.class, () -> store.save(new DurableState(4, "b", 4, "run-b", true)));
    assertEquals(old, new FileStateStore(dir).load());
  }

  @Test
  void aLeftoverTemporaryFileIsRemovedAtLoad() throws Exception {
    Files.writeString(dir.resolve("state.json.tmp"), "{\"epoch\":99");
    new FileStateStore(dir).load();
    assertFalse(Files.exists(dir.resolve("state.json.tmp")));
  }
}
