package dev.redisha.control;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

/**
 * Every step the controller took, one line each, in the order taken: commands to each Redis
 * ("b: REPLICAOF NO ONE"), calls to the coordinator ("coordinator: commit epoch 8") and to the
 * endpoints ("endpoints: release"). A line repeated back to back (a catch-up loop's INFO) is kept
 * once.
 */
final class Journal {
  private final List<String> lines = new ArrayList<>();

  synchronized void add(String line) {
    if (lines.isEmpty() || !lines.get(lines.size() - 1).equals(line)) {
      lines.add(line);
    }
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** Each line occurs, each after the one before it. */
  synchronized void assertInOrder(String... expected) {
    int from = 0;
    String previous = "the start";
    for (String line : expected) {
      int at = lines.subList(from, lines.size()).indexOf(line);
      if (at < 0) {
        fail((lines.contains(line) ? "'" + line + "' came before " + previous : "'" + line + "' never happened")
            + "; the steps were:\n  " + String.join("\n  ", lines));
      }
      from += at + 1;
      previous = "'" + line + "'";
    }
  }

  synchronized void assertNever(String line) {
    if (lines.contains(line)) {
      fail("'" + line + "' happened; the steps were:\n  " + String.join("\n  ", lines));
    }
  }
}
