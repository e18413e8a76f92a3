package dev.redisha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.PolicyFixture.FakeClock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An accepted operator switchover: pending until it runs, is cancelled, or expires. */
class SwitchoverRequestTest {
  private static final long LIFETIME_MS = 10_000;
  private final FakeClock clock = new FakeClock(1_000_000);
  private final SwitchoverRequest request = new SwitchoverRequest("a", LIFETIME_MS);

  @Test
  void pendingRequestSaysWhereWhenAndHowLongItLives() {
    request.accept(Optional.of("b"), clock.now());
    clock.advance(120);
    assertEquals("to b, requested 120 ms ago, expires in 9880 ms", request.describe(clock.now()));
    assertTrue(request.allows("b"));
    assertFalse(request.allows("c"), "only the chosen node");
  }

  @Test
  void withoutATargetAnyInSyncReplicaMayTakeIt() {
    request.accept(Optional.empty(), clock.now());
    assertTrue(request.allows("b"));
    assertTrue(request.allows("c"));
    assertTrue(request.describe(clock.now()).startsWith("to the best in-sync replica"));
  }

  @Test
  void expiresAfterItsLifetimeAndNeverRunsLater() {
    request.accept(Optional.of("b"), clock.now());
    clock.advance(LIFETIME_MS);
    request.expire(clock.now());
    assertTrue(request.pending(), "still pending at its last moment");
    clock.advance(1);
    request.expire(clock.now());
    assertFalse(request.pending());
    assertFalse(request.allows("b"));
    assertEquals("", request.describe(clock.now()));
  }

  @Test
  void cancelSaysWhetherThereWasOne() {
    assertFalse(request.cancel());
    request.accept(Optional.of("b"), clock.now());
    assertTrue(request.cancel());
    assertFalse(request.pending());
  }
}
