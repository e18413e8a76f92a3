package dev.redisha.it;

import dev.redisha.it.LettuceFailoverTrial.Result;
import dev.redisha.it.LettuceFailoverTrial.Shape;
import dev.redisha.testsupport.BenchFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * bench/lettuce: the READONLY window Lettuce's MasterReplica (Sentinel URI, RESP3, only the
 * agents' Sentinel endpoints) sees in a crash failover, over repeated trials of each {@link
 * Shape}, with whichever Lettuce is on the classpath. Not a test: it prints figures and writes
 * one section to the file named by {@code --out}; the script puts the sections together.
 * Usage: {@code --runs N --out FILE}.
 */
public final class LettuceFailoverBenchmark {
  public static void main(String[] args) throws Exception {
    int runs = BenchFigures.runs(args, 10);
    Path out = Path.of(option(args, "--out", "target/lettuce-bench.txt"));
    String version = LettuceFailoverTrial.lettuceVersion();
    StringBuilder section = new StringBuilder("lettuce " + version + "\n");
    for (Shape shape : Shape.values()) {
      List<Result> ok = new ArrayList<>();
      int failed = 0;
      for (int r = 1; r <= runs; r++) {
        Path dir = Files.createTempDirectory("redis-ha-bench-lettuce-");
        try {
          Result result = LettuceFailoverTrial.run(dir, shape);
          System.out.printf(Locale.ROOT, "#%02d %s%n", r, result.line());
          if (result.finalPortOk()) {
            ok.add(result);
          } else {
            failed++;
          }
        } catch (Exception | AssertionError e) {
          failed++;
          System.out.printf(Locale.ROOT, "#%02d %s FAILED: %s%n", r, shape, e);
        } finally {
          deleteTree(dir);
        }
      }
      section.append(String.format(Locale.ROOT, "  %-10s n=%d (failed or not at the agents' master at the end: %d)%n",
          shape, ok.size(), failed));
      section.append(stats("    READONLY window ms        ", ok, Result::readonlyMs));
      section.append(stats("    READONLY replies          ", ok, Result::readonly));
      section.append(stats("    longest gap between acks ms", ok, Result::longestGapMs));
    }
    System.out.print(section);
    Files.writeString(out, section.toString());
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  private static String stats(String label, List<Result> results, ToDoubleFunction<Result> figure) {
    if (results.isEmpty()) {
      return label + " no data\n";
    }
    List<Double> v = new ArrayList<>(results.stream().map(figure::applyAsDouble).toList());
    Collections.sort(v);
    return String.format(Locale.ROOT, "%s median %7.0f  p90 %7.0f  min %7.0f  max %7.0f%n", label,
        BenchFigures.rank(v, 50), BenchFigures.rank(v, 90), v.get(0), v.get(v.size() - 1));
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      System.out.println("could not remove " + dir + ": " + e.getMessage());
    }
  }
}
