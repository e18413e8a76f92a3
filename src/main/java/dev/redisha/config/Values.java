package dev.redisha.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/** How a bad value is shown in a problem message. */
final class Values {
  private static final int MAX_SHOWN = 60;

  private Values() {}

  /** The value as the user wrote it: strings quoted (and shortened), numbers and booleans bare. */
  static String show(JsonNode value) {
    if (value.isTextual()) {
      return show(value.textValue());
    }
    if (value.isValueNode() && !value.isNull()) {
      return value.asText();
    }
    return kind(value);
  }

  /** A string quoted and escaped as in JSON, shortened if long. */
  static String show(String text) {
    String shown = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN - 3) + "..." : text;
    return new TextNode(shown).toString();
  }

  /**
   * Only the kind of value. Used for fields that name a secret: a wrong-typed value there may be
   * the secret itself, pasted into the wrong place.
   */
  static String kind(JsonNode value) {
    if (value.isTextual()) {
      return "a string";
    } else if (value.isNumber()) {
      return "a number";
    } else if (value.isBoolean()) {
      return "a boolean";
    } else if (value.isArray()) {
      return "a list";
    } else if (value.isObject()) {
      return "a mapping";
    }
    return "nothing";
  }
}
