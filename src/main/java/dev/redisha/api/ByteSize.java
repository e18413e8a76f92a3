package dev.redisha.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes as an operator writes it in {@code /replica?lag=}: a plain number of bytes, or a
 * number with a unit as Patroni accepts them ({@code 16kB}, {@code 64MB}, {@code 1GB}; units are
 * powers of 1024, and the case of the unit does not matter).
 */
final class ByteSize {
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,18})\\s*([a-zA-Z]{0,2})");

  private ByteSize() {}

  /** @throws IllegalArgumentException with a sentence saying what is expected */
  static long parse(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(expected(text));
    }
    long number = Long.parseLong(m.group(1));
    long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "", "b" -> 1;
      case "kb", "k" -> 1L << 10;
      case "mb", "m" -> 1L << 20;
      case "gb", "g" -> 1L << 30;
      case "tb", "t" -> 1L << 40;
      default -> throw new IllegalArgumentException(expected(text));
    };
    if (number > Long.MAX_VALUE / unit) {
      throw new IllegalArgumentException(expected(text) + " (too large)");
    }
    return number * unit;
  }

  private static String expected(String text) {
    return "lag must be a number of bytes or a size such as 16kB, 64MB, 1GB, got \""
        + text.replaceAll("\\p{Cntrl}", "?") + "\"";
  }
}
