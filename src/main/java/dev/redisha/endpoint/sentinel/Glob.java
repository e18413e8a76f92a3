package dev.redisha.endpoint.sentinel;

/**
 * Redis' glob-style pattern matching (stringmatchlen), as used by PSUBSCRIBE: {@code *} any run,
 * {@code ?} one char, {@code [abc]}, {@code [^abc]}, {@code [a-z]} classes, and {@code \} to escape
 * the next char. Case-sensitive. Iterative with one backtracking point, so a hostile pattern costs
 * at most pattern length times text length steps.
 */
final class Glob {
  private Glob() {}

  static boolean matches(String pattern, String text) {
    int p = 0;
    int t = 0;
    int starP = -1;
    int starT = -1;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        p++;
        starP = p;
        starT = t;
        continue;
      }
      if (p < pattern.length()) {
        int next = matchOne(pattern, p, text.charAt(t));
        if (next >= 0) {
          p = next;
          t++;
          continue;
        }
      }
      if (starP < 0) {
        return false;
      }
      starT++;
      p = starP;
      t = starT;
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  /** If the pattern token at {@code p} matches {@code c}, the index after the token, else -1. */
  private static int matchOne(String pattern, int p, char c) {
    char token = pattern.charAt(p);
    if (token == '?') {
      return p + 1;
    }
    if (token == '\\' && p + 1 < pattern.length()) {
      return pattern.charAt(p + 1) == c ? p + 2 : -1;
    }
    if (token != '[') {
      return token == c ? p + 1 : -1;
    }
    int i = p + 1;
    boolean negate = i < pattern.length() && pattern.charAt(i) == '^';
    if (negate) {
      i++;
    }
    boolean match = false;
    while (i < pattern.length() && pattern.charAt(i) != ']') {
      char here = pattern.charAt(i);
      if (here == '\\' && i + 1 < pattern.length()) {
        match |= pattern.charAt(i + 1) == c;
        i += 2;
      } else if (i + 2 < pattern.length() && pattern.charAt(i + 1) == '-' && pattern.charAt(i + 2) != ']') {
        char from = here;
        char to = pattern.charAt(i + 2);
        if (from > to) {
          char swap = from;
          from = to;
          to = swap;
        }
        match |= c >= from && c <= to;
        i += 3;
      } else {
        match |= here == c;
        i++;
      }
    }
    // Like Redis, a class missing its ']' ends with the pattern.
    int after = i < pattern.length() ? i + 1 : i;
    return match != negate ? after : -1;
  }
}
