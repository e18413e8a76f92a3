package dev.redisha.event;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One thing the agent did or saw, and why (DESIGN §3 rule 5). Written as one JSON line to the
 * event log and shown on the status page.
 *
 * <p>The JSON form is fixed here (snake_case, ISO-8601 time) rather than by whichever mapper
 * writes it, so {@code events.jsonl} and {@code GET /status} always agree.
 *
 * @param time when it happened
 * @param nodeId the agent that recorded it
 * @param type what kind of thing: the {@link EventType#wireName} of one of {@link EventType}
 *     ("promote", "demote", "decision", ...); a string, so that a line written by a newer agent
 *     with a type this one does not know still reads
 * @param cause why, as a sentence an operator can read ("master redis-a stopped answering PING")
 * @param epoch the epoch the agent knew when it happened
 * @param fields extra detail, in insertion order; a step's duration goes in as {@code <step>_ms}
 *     (e.g. {@code fence_ms}, {@code promote_ms}) so a slow failover shows which step was slow
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"time", "node_id", "type", "cause", "epoch", "fields"})
public record Event(
    @JsonSerialize(using = ToStringSerializer.class) @JsonDeserialize(using = InstantText.class)
        Instant time,
    String nodeId,
    String type,
    String cause,
    long epoch,
    Map<String, Object> fields) {

  public Event {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(cause, "cause");
    // A copy keeps the record immutable across threads; LinkedHashMap keeps the steps in the
    // order they ran, which Map.copyOf would not.
    fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** An event of one of the agent's fixed types. */
  public Event(Instant time, String nodeId, EventType type, String cause, long epoch, Map<String, Object> fields) {
    this(time, nodeId, type.wireName(), cause, epoch, fields);
  }

  /** An event without extra fields. */
  public Event(Instant time, String nodeId, String type, String cause, long epoch) {
    this(time, nodeId, type, cause, epoch, Map.of());
  }

  /**
   * Reads the ISO-8601 text written by {@link ToStringSerializer}. The project does not depend on
   * jackson-datatype-jsr310, and this is the only java.time value the event log needs.
   */
  static final class InstantText extends StdScalarDeserializer<Instant> {
    InstantText() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      String text = parser.getValueAsString();
      if (text == null) {
        return (Instant) context.handleUnexpectedToken(Instant.class, parser);
      }
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        return (Instant) context.handleWeirdStringValue(Instant.class, text, "not ISO-8601");
      }
    }
  }
}
