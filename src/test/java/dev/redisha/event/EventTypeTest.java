package dev.redisha.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventTypeTest {
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\|");

  @Test
  void theOperatorDocsListExactlyTheEventTypesTheAgentWrites() throws IOException {
    List<String> doc = Files.readAllLines(Path.of("docs/operations.md"));
    int start = doc.indexOf("### Event types");
    assertTrue(start >= 0, "docs/operations.md has no '### Event types' section");
    Set<String> documented = new LinkedHashSet<>();
    for (String line : doc.subList(start + 1, doc.size())) {
      if (line.startsWith("#")) {
        break;
      }
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        documented.add(m.group(1));
      }
    }
    Set<String> written = Arrays.stream(EventType.values()).map(EventType::wireName)
        .collect(Collectors.toCollection(LinkedHashSet::new));
    assertEquals(written, documented, "the event types in docs/operations.md and in EventType differ");
  }

  @Test
  void anEventOfAFixedTypeCarriesItsWireName() {
    Event e = new Event(Instant.EPOCH, "a", EventType.FENCE_FAILED, "old master answers", 3, Map.of());
    assertEquals("fence-failed", e.type());
  }
}
