package dev.redisha.coordination.peer;

import dev.redisha.coordination.peer.PeerLinkProblem.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer link problems present now, logged once when each begins, once when what it says
 * changes (not when only a counter in its text moves), and once when it clears; with a count of
 * onsets per kind for {@code /metrics}. Thread-safe.
 */
final class ProblemBoard {
  private static final Logger log = LoggerFactory.getLogger(AdvertTransport.class);

  private record Key(String nodeId, Kind kind) {}

  private record Entry(PeerLinkProblem problem, Object logKey) {}

  private final Map<Key, Entry> current = new LinkedHashMap<>();
  private final Map<Kind, Long> onsets = new EnumMap<>(Kind.class);

  ProblemBoard() {
    for (Kind k : Kind.values()) {
      onsets.put(k, 0L);
    }
  }

  /**
   * Records the problem as present.
   *
   * @param logKey what the log line depends on: a new value logs the message again
   */
  synchronized void raise(String nodeId, Kind kind, String message, Object logKey, long nowMonotonic) {
    Key key = new Key(nodeId, kind);
    Entry before = current.get(key);
    long since = before == null ? nowMonotonic : before.problem().sinceMonotonicMillis();
    current.put(key, new Entry(new PeerLinkProblem(nodeId, kind, message, since), logKey));
    if (before == null) {
      onsets.merge(kind, 1L, Long::sum);
      log.warn(message);
    } else if (!Objects.equals(before.logKey(), logKey)) {
      log.warn(message);
    }
  }

  /** Records the problem as gone, logging why if it was present. */
  synchronized void clear(String nodeId, Kind kind, String why) {
    if (current.remove(new Key(nodeId, kind)) != null) {
      log.info(why);
    }
  }

  synchronized boolean present(String nodeId, Kind kind) {
    return current.containsKey(new Key(nodeId, kind));
  }

  synchronized List<PeerLinkProblem> problems() {
    List<PeerLinkProblem> out = new ArrayList<>();
    current.values().forEach(e -> out.add(e.problem()));
    out.sort(Comparator.comparing(PeerLinkProblem::nodeId).thenComparing(PeerLinkProblem::kind));
    return Collections.unmodifiableList(out);
  }

  synchronized Map<Kind, Long> onsets() {
    return Collections.unmodifiableMap(new EnumMap<>(onsets));
  }
}
