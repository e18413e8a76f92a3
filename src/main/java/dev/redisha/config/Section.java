package dev.redisha.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One YAML mapping of the config file, read field by field. Every reader reports a bad value to
 * {@link Problems} under the field's dotted path and returns a fallback, so the loader goes on and
 * finds the other problems too. Fields that were asked for count as known; the rest are reported
 * by {@link #rejectUnknown()}.
 */
final class Section {
  private final Problems problems;
  private final Path baseDir;
  private final String path;
  private final ObjectNode node;
  // Set when this section's value was not a mapping: that is already reported, and "x is
  // required" for each of its fields would only bury the one problem that matters.
  private final boolean muted;
  private final Set<String> known = new LinkedHashSet<>();

  Section(Problems problems, Path baseDir, String path, ObjectNode node) {
    this(problems, baseDir, path, node, false);
  }

  private Section(Problems problems, Path baseDir, String path, ObjectNode node, boolean muted) {
    this.problems = problems;
    this.baseDir = baseDir;
    this.path = path;
    this.node = node;
    this.muted = muted;
  }

  String field(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  void problem(String name, String message) {
    report(field(name), message);
  }

  void warning(String name, String message) {
    if (!muted) {
      problems.warn(field(name), message);
    }
  }

  /** Whether the field has a problem, or may have one that went unreported. */
  boolean concerns(String name) {
    return muted || problems.concerns(field(name));
  }

  /**
   * Like {@link #concerns} for a dotted path below this section, also true when a section on
   * the way ("endpoints.proxy" for "endpoints.proxy.listen") is itself reported as wrong.
   */
  boolean concernsPath(String dotted) {
    if (muted || problems.concerns(field(dotted))) {
      return true;
    }
    for (int dot = dotted.indexOf('.'); dot > 0; dot = dotted.indexOf('.', dot + 1)) {
      if (problems.reported(field(dotted.substring(0, dot)))) {
        return true;
      }
    }
    return false;
  }

  private void report(String fullField, String message) {
    if (!muted) {
      problems.add(fullField, message);
    }
  }

  /** The value of a field; null when absent or left empty ("user:" with nothing after it). */
  JsonNode get(String name) {
    known.add(name);
    JsonNode value = node.get(name);
    return value == null || value.isNull() ? null : value;
  }

  boolean has(String name) {
    return get(name) != null;
  }

  /** A nested mapping; an absent one reads as empty, so its fields get their defaults. */
  Section section(String name) {
    JsonNode value = get(name);
    boolean mapping = value == null || value.isObject();
    if (!mapping) {
      problem(name, "must be a mapping of fields, got " + Values.show(value));
    }
    return new Section(problems, baseDir, field(name), asObject(value), muted || !mapping);
  }

  /** The mappings of a required list, each read as a section named like "peers[1]". */
  List<Section> sections(String name, String expected) {
    List<Section> result = new ArrayList<>();
    JsonNode list = get(name);
    if (list == null) {
      problem(name, "is required; expected " + expected);
      return result;
    }
    if (!list.isArray()) {
      problem(name, "must be " + expected + ", got " + Values.show(list));
      return result;
    }
    for (int i = 0; i < list.size(); i++) {
      String element = field(name) + "[" + i + "]";
      JsonNode value = list.get(i);
      boolean mapping = value.isObject();
      if (!mapping) {
        report(element, "must be a mapping of fields, got " + Values.show(value));
      }
      result.add(new Section(problems, baseDir, element, asObject(value), muted || !mapping));
    }
    return result;
  }

  /**
   * A list of strings, each checked by {@code trouble} (which says what is wrong, if anything). A
   * bad element is reported as "name[i]" and left out.
   */
  List<String> strings(String name, Function<String, Optional<String>> trouble) {
    List<String> result = new ArrayList<>();
    JsonNode list = get(name);
    if (list == null) {
      return result;
    }
    if (!list.isArray()) {
      problem(name, "must be a list of strings, got " + Values.show(list));
      return result;
    }
    for (int i = 0; i < list.size(); i++) {
      String element = field(name) + "[" + i + "]";
      JsonNode value = list.get(i);
      Optional<String> wrong = value.isTextual()
          ? trouble.apply(value.textValue())
          : Optional.of("must be a string, got " + Values.show(value));
      if (wrong.isPresent()) {
        report(element, wrong.get());
      } else {
        result.add(value.textValue());
      }
    }
    return result;
  }

  Optional<String> text(String name, String expected) {
    return text(name, expected, true);
  }

  /**
   * A string. With {@code showValue} false a wrong-typed value is described only by its kind,
   * for fields that name a secret: what is there by mistake may be the secret itself.
   */
  Optional<String> text(String name, String expected, boolean showValue) {
    JsonNode value = get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      String got = showValue ? Values.show(value) : Values.kind(value);
      String hint = showValue && value.isValueNode() ? " (quote it to make it a string)" : "";
      problem(name, "must be " + expected + ", got " + got + hint);
      return Optional.empty();
    }
    return Optional.of(value.textValue());
  }

  Optional<String> requiredText(String name, String expected) {
    if (!has(name)) {
      problem(name, "is required; expected " + expected);
    }
    return text(name, expected);
  }

  long integer(String name, long fallback, long min, long max) {
    JsonNode value = get(name);
    if (value == null) {
      return fallback;
    }
    if (value.isIntegralNumber() && value.canConvertToLong()
        && value.longValue() >= min && value.longValue() <= max) {
      return value.longValue();
    }
    String expected = max == Long.MAX_VALUE
        ? "an integer of at least " + min
        : "an integer between " + min + " and " + max;
    String hint = value.isTextual() && looksLikeInteger(value.textValue())
        ? " (a quoted string; remove the quotes)"
        : "";
    problem(name, "must be " + expected + ", got " + Values.show(value) + hint);
    return fallback;
  }

  int smallInteger(String name, int fallback, int min, int max) {
    return (int) integer(name, fallback, min, max);
  }

  boolean bool(String name, boolean fallback) {
    JsonNode value = get(name);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      problem(name, "must be true or false, got " + Values.show(value));
      return fallback;
    }
    return value.booleanValue();
  }

  String choice(String name, String fallback, List<String> allowed) {
    JsonNode value = get(name);
    if (value == null) {
      return fallback;
    }
    String text = value.isTextual() ? value.textValue() : null;
    // YAML 1.1 reads a bare no/yes as a boolean; "appendfsync: no" still means the word "no".
    if (value.isBoolean()) {
      text = value.booleanValue() ? "yes" : "no";
    }
    if (text == null || !allowed.contains(text)) {
      problem(name, "must be one of " + String.join(", ", allowed) + ", got " + Values.show(value));
      return fallback;
    }
    return text;
  }

  Optional<HostPort> hostPort(String name, boolean required, String what) {
    String expected = "\"host:port\" of " + what;
    if (required && !has(name)) {
      problem(name, "is required; expected " + expected);
      return Optional.empty();
    }
    JsonNode value = get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      problem(name, "must be " + expected + ", got " + Values.show(value));
      return Optional.empty();
    }
    try {
      return Optional.of(HostPort.parse(value.textValue()));
    } catch (IllegalArgumentException e) {
      problem(name, "must be " + expected + " (" + e.getMessage() + "), got " + Values.show(value));
      return Optional.empty();
    }
  }

  HostPort hostPort(String name, HostPort fallback, String what) {
    return hostPort(name, false, what).orElse(fallback);
  }

  /** A path; a relative one is taken relative to the config file's directory. */
  Optional<Path> path(String name, String expected, boolean showValue) {
    Optional<String> text = text(name, expected, showValue);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String raw = text.get();
    if (raw.isBlank()) {
      problem(name, "must be " + expected + ", got an empty string");
      return Optional.empty();
    }
    if (raw.startsWith("~")) {
      problem(name, "must be " + expected + "; '~' is not expanded, write the full path");
      return Optional.empty();
    }
    try {
      return Optional.of(baseDir.resolve(raw).normalize());
    } catch (InvalidPathException e) {
      problem(name, "must be " + expected + ", got something that is not a valid path");
      return Optional.empty();
    }
  }

  /** A path that must name an existing readable file (and an executable one if asked). */
  Optional<Path> file(String name, String expected, boolean executable) {
    return file(name, expected, executable, true);
  }

  Optional<Path> file(String name, String expected, boolean executable, boolean showValue) {
    Optional<Path> file = path(name, expected, showValue);
    if (file.isEmpty()) {
      return file;
    }
    Path p = file.get();
    String trouble = null;
    if (!Files.exists(p)) {
      trouble = p + " does not exist";
    } else if (!Files.isRegularFile(p)) {
      trouble = p + " is not a regular file";
    } else if (!Files.isReadable(p)) {
      trouble = p + " is not readable by this user";
    } else if (executable && !Files.isExecutable(p)) {
      trouble = p + " is not executable (chmod +x it)";
    }
    if (trouble != null) {
      problem(name, "must be " + expected + ", but " + trouble);
      return Optional.empty();
    }
    return file;
  }

  /**
   * Warns when a file holding a secret can be read by its group or by others: the config is
   * valid, but any local account (or the group) can read the password or key.
   */
  void warnIfOthersCanRead(String name, Path file) {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException | IOException e) {
      // No POSIX modes to read (another filesystem), or the file went away: readFile has already
      // judged whether it can be read, and there is no group/other bit to warn about.
      return;
    }
    boolean group = mode.contains(PosixFilePermission.GROUP_READ);
    boolean others = mode.contains(PosixFilePermission.OTHERS_READ);
    if (group || others) {
      String who = group && others ? "its group and by others" : group ? "its group" : "others";
      warning(name, file + " is readable by " + who + " (mode " + octal(mode) + "); chmod 600 it");
    }
  }

  private static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      // The enum runs OWNER_READ .. OTHERS_EXECUTE, i.e. from bit 8 down to bit 0.
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", bits);
  }

  /** Reports every field of this mapping that no reader asked for. Call after all reads. */
  void rejectUnknown() {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        problem(name, unknownFieldMessage(name));
      }
    }
  }

  private String unknownFieldMessage(String name) {
    if (known.contains(name + "_file") && known.contains(name + "_env")) {
      return "unknown field; secrets are never written in the config file: use "
          + field(name + "_file") + " or " + field(name + "_env");
    }
    return FieldNames.closest(name, known)
        .map(k -> "unknown field; did you mean " + field(k) + "?")
        .orElse("unknown field; known fields here: " + String.join(", ", known));
  }

  private static boolean looksLikeInteger(String text) {
    return text.strip().matches("[+-]?\\d+");
  }

  private static ObjectNode asObject(JsonNode value) {
    return value != null && value.isObject()
        ? (ObjectNode) value
        : JsonNodeFactory.instance.objectNode();
  }
}
