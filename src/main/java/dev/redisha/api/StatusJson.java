package dev.redisha.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;

/**
 * The JSON form of the status API, shared by the server and the client so both sides agree on
 * it: snake_case property names, as in the YAML config and the event log.
 */
public final class StatusJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          // During a rolling upgrade a newer agent may report fields an older CLI does not know;
          // the CLI should still show the ones it does.
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private StatusJson() {}

  /** {@code value} as a JSON tree, to extend before writing. */
  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** {@code value} as UTF-8 JSON. */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      // The API writes only records of strings, numbers and lists; failing here is a bug.
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  /** Parses a {@code GET /status} body; the extra "events" member is ignored. */
  public static NodeStatus readStatus(byte[] json) throws IOException {
    return MAPPER.readValue(json, NodeStatus.class);
  }

  /** Parses any JSON body, for reading an {@code {"error": ...}} answer. */
  public static JsonNode readTree(byte[] json) throws IOException {
    return MAPPER.readTree(json);
  }
}
