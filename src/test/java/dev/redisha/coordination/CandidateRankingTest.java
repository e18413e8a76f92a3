package dev.redisha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.coordination.CandidateRanking.Candidate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** DESIGN §4: complete data first, then offset, then priority, then the lower node id. */
class CandidateRankingTest {
  private static String best(Candidate mine, Candidate... others) {
    return CandidateRanking.best(mine, Stream.of(others)).nodeId();
  }

  @Test
  void completeDataOfALaterEpochBeatsAHigherOffsetAndPriority() {
    assertEquals("b", best(new Candidate("a", 4, 9_000, 250), new Candidate("b", 5, 10, 1)));
  }

  @Test
  void withinOneEpochTheHigherOffsetWins() {
    assertEquals("b", best(new Candidate("a", 5, 100, 250), new Candidate("b", 5, 101, 1)));
  }

  @Test
  void atEqualDataTheHigherPriorityWins() {
    assertEquals("a", best(new Candidate("a", 5, 100, 150), new Candidate("b", 5, 100, 100)));
  }

  @Test
  void atEqualDataAndPriorityTheLowerIdWins() {
    assertEquals("a", best(new Candidate("b", 5, 100, 100), new Candidate("a", 5, 100, 100),
        new Candidate("c", 5, 100, 100)));
  }

  @Test
  void aNodeWithoutDataNeverBeatsOneWithIt() {
    assertEquals("a", best(new Candidate("a", 0, 0, 1), new Candidate("b", -1, 1_000_000, 255)));
  }

  @Test
  void aloneIsBest() {
    assertEquals("a", best(new Candidate("a", -1, 0, 1)));
  }
}
