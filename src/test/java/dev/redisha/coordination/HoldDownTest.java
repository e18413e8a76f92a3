package dev.redisha.coordination;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.PolicyFixture.FakeClock;
import org.junit.jupiter.api.Test;

/** DESIGN §4's hold-down, with a fake clock. */
class HoldDownTest {
  private final FakeClock clock = new FakeClock(1_000_000);
  private final HoldDown holdDown = new HoldDown(60_000, 3);

  private void episode() {
    holdDown.noteFault(clock.now());
    holdDown.noteFault(clock.advance(10));
    holdDown.episodeOver();
    clock.advance(1_000);
  }

  @Test
  void holdsDownAfterTheThirdFaultEpisodeWithinTheWindow() {
    episode();
    episode();
    assertFalse(holdDown.active(), "two episodes, each counted once however many decisions it spans");
    episode();
    assertTrue(holdDown.active());
  }

  @Test
  void faultsOlderThanTheWindowNoLongerCount() {
    episode();
    episode();
    episode();
    clock.advance(60_000 - 3_020 + 1);
    holdDown.expire(clock.now());
    assertFalse(holdDown.active(), "the first episode aged out");
  }

  @Test
  void oneLongEpisodeCountsOnce() {
    for (int i = 0; i < 10; i++) {
      holdDown.noteFault(clock.advance(100));
    }
    holdDown.expire(clock.now());
    assertFalse(holdDown.active());
  }
}
