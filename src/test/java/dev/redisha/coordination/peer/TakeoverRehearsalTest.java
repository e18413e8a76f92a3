package dev.redisha.coordination.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.coordination.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The start-up rehearsal only pays off while it runs the code of a real takeover: if a rule change
 * made its scenario stop short of one, the first real takeover would be cold again.
 */
class TakeoverRehearsalTest {

  @Test
  void theReplicaOfAPairRehearsesBothTakeoversAndItsFirstDecisionAsMaster() {
    TakeoverRehearsal.Outcome o = TakeoverRehearsal.run(ElectionFixture.config("b")).orElseThrow();

    assertTrue(o.tookOverTwice(), o.toString());
    assertEquals(Decision.Action.MASTER, last(o.crash()).action(), o.crash().toString());
    assertEquals(Decision.Action.MASTER, last(o.silence()).action(), o.silence().toString());
    assertTrue(o.crash().get(1).reason().contains("refuses connections"), o.crash().toString());
    assertTrue(o.silence().get(1).reason().contains("silent"), o.silence().toString());
  }

  @Test
  void thePreferredNodeRehearsesToo() {
    // "a" has the higher priority: the rehearsal's master is its peer, whatever the priorities say.
    assertTrue(TakeoverRehearsal.run(ElectionFixture.config("a")).orElseThrow().tookOverTwice());
  }

  @Test
  void aGroupOfOneHasNothingToRehearse() {
    assertTrue(TakeoverRehearsal.run(ElectionFixture.config("a", ElectionFixture.ordered("a", 100))).isEmpty());
  }

  private static Decision last(List<Decision> steps) {
    return steps.get(steps.size() - 1);
  }
}
