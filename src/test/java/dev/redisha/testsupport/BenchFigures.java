package dev.redisha.testsupport;

import java.util.List;

/** What the benchmarks share: their one option and how they read percentiles. */
public final class BenchFigures {
  private BenchFigures() {}

  /** {@code --runs N} from the command line, else {@code fallback}. */
  public static int runs(String[] args, int fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--runs")) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  /** Nearest-rank percentile of sorted values: the smallest with at least p % at or below it. */
  public static double rank(List<Double> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
