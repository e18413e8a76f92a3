package dev.redisha.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** Finds the known field an unknown one was probably meant to be. */
final class FieldNames {
  private FieldNames() {}

  static Optional<String> closest(String unknown, Collection<String> known) {
    String wanted = normalize(unknown);
    return known.stream()
        .filter(k -> normalize(k).equals(wanted) || distance(k, unknown) <= maxEdits(unknown))
        .min(Comparator.comparingInt((String k) -> normalize(k).equals(wanted) ? 0 : 1)
            .thenComparingInt(k -> distance(k, unknown)));
  }

  // Two edits turn most short names into other short names, so short names get one.
  private static int maxEdits(String name) {
    return name.length() <= 4 ? 1 : 2;
  }

  // camelCase and kebab-case spellings of a snake_case name are the commonest slip.
  private static String normalize(String name) {
    return name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  /** Edit distance that counts swapping two neighbours as one edit ("prot" for "port"). */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
