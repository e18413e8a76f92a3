package dev.redisha.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redisha.event.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master changes one agent recorded, read from its event log: a takeover is recorded by the
 * node that took over ("promote" with the takeover's steps), a planned handover by the master
 * that handed over ("handover" with {@code success=true}). Every transition is in exactly one
 * agent's log, so the group's history is the union of all agents' answers. The operator's
 * maintenance requests (pause, resume, a scheduled switchover, its cancel or refusal) are listed
 * too, by the agent that took them.
 */
public final class TransitionHistory {
  /** How many transitions {@code GET /history} returns at most, newest kept. */
  public static final int LIMIT = 1000;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final Pattern FROM = Pattern.compile("^taking over from (\\S+?):");

  private static final String SCHEDULE_REFUSED = "scheduled_switchover_refused";

  private TransitionHistory() {}

  /** The transition an event records, if it records one. */
  public static Optional<Transition> of(Event e) {
    if (e.type().equals("promote") && e.fields().containsKey("commit_epoch_ms")) {
      String cause = TransitionCause.of(e);
      Matcher from = FROM.matcher(e.cause());
      return Optional.of(new Transition(e.time().toString(), e.epoch(),
          cause.equals(TransitionCause.BOOTSTRAP) ? "bootstrap" : "failover",
          from.find() ? from.group(1) : "", e.nodeId(), cause, e.cause(), millis(e, "total_ms"), e.nodeId()));
    }
    if (e.type().equals("handover") && Boolean.TRUE.equals(e.fields().get("success"))) {
      long pause = e.fields().containsKey("pause_ms") ? millis(e, "pause_ms") : millis(e, "total_ms");
      return Optional.of(new Transition(e.time().toString(), e.epoch(), "switchover", e.nodeId(),
          String.valueOf(e.fields().getOrDefault("to", "")), TransitionCause.of(e), e.cause(), pause, e.nodeId()));
    }
    if (e.type().equals("maintenance")) {
      // Not a change of master, but what an operator looks for beside them: why nothing failed over.
      return Optional.of(new Transition(e.time().toString(), e.epoch(), String.valueOf(e.fields().getOrDefault("action", "")),
          "", String.valueOf(e.fields().getOrDefault("to", "")), TransitionCause.OPERATOR, e.cause(), -1, e.nodeId()));
    }
    if (e.type().equals("decision") && SCHEDULE_REFUSED.equals(e.fields().get("cause_code"))) {
      return Optional.of(new Transition(e.time().toString(), e.epoch(), "scheduled-switchover-refused", e.nodeId(),
          "", TransitionCause.OPERATOR, e.cause(), -1, e.nodeId()));
    }
    return Optional.empty();
  }

  /** The transitions among {@code events}, oldest first. */
  public static List<Transition> of(List<Event> events) {
    List<Transition> out = new ArrayList<>();
    events.forEach(e -> of(e).ifPresent(out::add));
    return out;
  }

  /**
   * The newest {@link #LIMIT} transitions of an event log file, oldest first. Lines that do not
   * parse (a line torn by a full disk) are skipped, as the event log's readers always do; a
   * missing file is an empty history.
   */
  public static List<Transition> read(Path eventLog) throws IOException {
    ArrayDeque<Transition> newest = new ArrayDeque<>();
    try (BufferedReader in = Files.newBufferedReader(eventLog, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        // Cheap filter first: most lines are persistence, endpoint and hook events.
        if (!line.contains("\"promote\"") && !line.contains("\"handover\"") && !line.contains("\"maintenance\"")
            && !line.contains(SCHEDULE_REFUSED)) {
          continue;
        }
        Optional<Transition> t;
        try {
          t = of(JSON.readValue(line, Event.class));
        } catch (IOException | IllegalArgumentException | NullPointerException unparsable) {
          continue;
        }
        t.ifPresent(newest::addLast);
        if (newest.size() > LIMIT) {
          newest.removeFirst();
        }
      }
    } catch (NoSuchFileException none) {
      return List.of();
    }
    return List.copyOf(newest);
  }

  /** {@link #read} as a supplier for the API: a failed read is a 500 with the cause logged. */
  public static java.util.function.Supplier<List<Transition>> reader(Path eventLog) {
    return () -> {
      try {
        return read(eventLog);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot read " + eventLog, e);
      }
    };
  }

  private static long millis(Event e, String field) {
    return e.fields().get(field) instanceof Number n ? n.longValue() : -1;
  }
}
