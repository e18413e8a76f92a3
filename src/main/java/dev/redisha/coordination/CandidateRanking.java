package dev.redisha.coordination;

import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Who should take the master role (DESIGN §4): the complete, most recent data first (data epoch,
 * then replication offset), then the higher priority, then the lower node id.
 */
public final class CandidateRanking {
  private CandidateRanking() {}

  /**
   * @param dataEpoch the epoch whose complete data its Redis holds (-1: none)
   * @param offset its replication offset (for a group without history: its key count)
   */
  public record Candidate(String nodeId, long dataEpoch, long offset, int priority) {}

  /** Orders candidates from worse to better. */
  public static final Comparator<Candidate> BETTER = Comparator.comparingLong(Candidate::dataEpoch)
      .thenComparingLong(Candidate::offset)
      .thenComparingInt(Candidate::priority)
      .thenComparing(Candidate::nodeId, Comparator.reverseOrder());

  /** The best of {@code mine} and {@code others}; {@code mine} wins a tie with itself only. */
  public static Candidate best(Candidate mine, Stream<Candidate> others) {
    return others.reduce(mine, (a, b) -> BETTER.compare(a, b) >= 0 ? a : b);
  }
}
