package dev.redisha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.PolicyFixture.FakeClock;
import org.junit.jupiter.api.Test;

/** The member's durable state: in effect at once, saved or retried, problems reported. */
class StateRecordTest {
  private final FakeClock clock = new FakeClock(1_000_000);
  private final FlakyStore store = new FlakyStore();
  private final StateRecord record = new StateRecord("a", store);

  /** A store whose saves fail while {@link #full} is set, as a full disk does. */
  private static final class FlakyStore implements StateStore {
    DurableState saved = DurableState.fresh();
    boolean full;

    @Override
    public DurableState load() {
      return saved;
    }

    @Override
    public void save(DurableState s) {
      if (full) {
        throw new java.io.UncheckedIOException("No space left on device", new java.io.IOException());
      }
      saved = s;
    }
  }

  @Test
  void aRememberedChangeTakesEffectAtOnceAndIsRetriedUntilItLands() {
    store.full = true;
    DurableState stepDown = new DurableState(6, "b", 5, "run-a", false);
    record.remember(stepDown);
    assertEquals(stepDown, record.state(), "stepping down never waits for the disk");
    assertTrue(record.unsaved());
    assertEquals("No space left on device", record.problem());

    store.full = false;
    record.retryIfDue(clock.now());
    assertEquals(stepDown, store.saved);
    assertFalse(record.unsaved());
    assertEquals("", record.problem());
  }

  @Test
  void retriesAtMostOnceASecond() {
    store.full = true;
    record.remember(new DurableState(6, "b", 5, "run-a", false));
    record.retryIfDue(clock.now());
    store.full = false;
    record.retryIfDue(clock.advance(999));
    assertTrue(record.unsaved(), "the next attempt is one second after the last");
    record.retryIfDue(clock.advance(1));
    assertFalse(record.unsaved());
  }

  @Test
  void aFailedSaveChangesNothing() {
    store.full = true;
    assertFalse(record.save(new DurableState(6, "a", 6, "run-a", false)), "a takeover's epoch is not recorded");
    assertEquals(DurableState.fresh(), record.state());
    assertFalse(record.unsaved(), "nothing in memory waits for the disk");
  }
}
