package dev.redisha.coordination;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a scheduled switchover is due ({@code switchover --at TIME}): an ISO-8601 instant with its
 * offset ("2026-12-02T10:30:00Z", "2026-12-02T11:30:00+01:00") or a time from now ("+10m",
 * "+90s", "+2h", "+1d"), and the window it must fall in: after now, at most 7 days ahead.
 */
public final class SwitchoverTime {
  /** Further ahead than this is refused: a forgotten schedule must not fire weeks later. */
  public static final long MAX_AHEAD_MS = 7L * 24 * 3600 * 1000;
  private static final Pattern RELATIVE = Pattern.compile("\\+(\\d{1,9})([smhd])");

  private SwitchoverTime() {}

  /**
   * @param nowMillis the wall clock, ms since the epoch (relative times count from it)
   * @return the due time in ms since the epoch
   * @throws IllegalArgumentException with a sentence saying what is expected
   */
  public static long parse(String text, long nowMillis) {
    String t = text == null ? "" : text.trim();
    Matcher m = RELATIVE.matcher(t.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      long unit = switch (m.group(2)) {
        case "s" -> 1000L;
        case "m" -> 60_000L;
        case "h" -> 3_600_000L;
        default -> 86_400_000L;
      };
      return nowMillis + n * unit;
    }
    try {
      return OffsetDateTime.parse(t).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(t).toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e2) {
        throw new IllegalArgumentException("switchover time '" + t + "' is neither an ISO-8601 time with its offset"
            + " (2026-12-02T10:30:00Z) nor a time from now (+90s, +10m, +2h, +1d)");
      }
    } catch (DateTimeException | ArithmeticException e) {
      throw new IllegalArgumentException("switchover time '" + t + "' is out of range");
    }
  }

  /** Why a switchover due at {@code dueMillis} cannot be scheduled at {@code nowMillis}, or empty. */
  public static Optional<String> refusal(long dueMillis, long nowMillis) {
    if (dueMillis <= nowMillis) {
      return Optional.of("the time " + Maintenance.instant(dueMillis) + " is in the past (now "
          + Maintenance.instant(nowMillis) + "); for a switchover now, leave out --at");
    }
    if (dueMillis - nowMillis > MAX_AHEAD_MS) {
      return Optional.of("the time " + Maintenance.instant(dueMillis) + " is more than 7 days ahead (now "
          + Maintenance.instant(nowMillis) + "); schedule it later, at most 7 days before");
    }
    return Optional.empty();
  }
}
