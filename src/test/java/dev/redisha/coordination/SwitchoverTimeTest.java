package dev.redisha.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code switchover --at TIME}: what it accepts, and the window it must fall in (a fixed "now"). */
class SwitchoverTimeTest {
  private static final long NOW = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();

  @Test
  void isoTimesWithTheirOffset() {
    assertEquals(Instant.parse("2026-12-02T10:30:00Z").toEpochMilli(), SwitchoverTime.parse("2026-12-02T10:30:00Z", NOW));
    assertEquals(Instant.parse("2026-12-02T10:30:00Z").toEpochMilli(),
        SwitchoverTime.parse("2026-12-02T11:30:00+01:00", NOW), "an offset is honoured");
    assertEquals(Instant.parse("2026-12-02T10:30:00.250Z").toEpochMilli(),
        SwitchoverTime.parse(" 2026-12-02T10:30:00.250Z ", NOW));
  }

  @Test
  void timesFromNow() {
    assertEquals(NOW + 90_000, SwitchoverTime.parse("+90s", NOW));
    assertEquals(NOW + 600_000, SwitchoverTime.parse("+10m", NOW));
    assertEquals(NOW + 7_200_000, SwitchoverTime.parse("+2h", NOW));
    assertEquals(NOW + 86_400_000, SwitchoverTime.parse("+1D", NOW));
  }

  @Test
  void anythingElseIsRefusedSayingWhatIsExpected() {
    for (String bad : new String[] {"10:30", "2026-12-02T10:30:00", "tomorrow", "+10", "10m", "+-5m", "", "+5w"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SwitchoverTime.parse(bad, NOW), bad);
      assertTrue(e.getMessage().contains("ISO-8601") && e.getMessage().contains("+10m"), e.getMessage());
    }
  }

  @Test
  void thePastAndMoreThanSevenDaysAheadAreRefusedWithASentence() {
    String past = SwitchoverTime.refusal(NOW - 1, NOW).orElseThrow();
    assertTrue(past.contains("is in the past") && past.contains("now 2026-12-02T10:00:00Z"), past);
    assertTrue(SwitchoverTime.refusal(NOW, NOW).isPresent(), "now is not a schedule");
    String far = SwitchoverTime.refusal(SwitchoverTime.parse("+7d", NOW) + 1, NOW).orElseThrow();
    assertTrue(far.contains("more than 7 days ahead"), far);
    assertEquals(Optional.empty(), SwitchoverTime.refusal(SwitchoverTime.parse("+7d", NOW), NOW));
    assertEquals(Optional.empty(), SwitchoverTime.refusal(NOW + 1, NOW));
  }
}
