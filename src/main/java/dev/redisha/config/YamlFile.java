package dev.redisha.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Reads a config file into a YAML tree, reporting unreadable files and syntax errors. */
final class YamlFile {
  // A key written twice would otherwise silently keep the last value.
  private static final YAMLMapper MAPPER =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private YamlFile() {}

  /** The top-level mapping, or empty after reporting why there is none. */
  static Optional<ObjectNode> read(Path file, Problems problems) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      problems.add("", "cannot read the config file: it does not exist");
      return Optional.empty();
    } catch (CharacterCodingException e) {
      problems.add("", "cannot read the config file: it is not UTF-8 text");
      return Optional.empty();
    } catch (IOException e) {
      problems.add("", "cannot read the config file: " + e);
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      problems.add("", syntaxError(e));
      return Optional.empty();
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      problems.add("", "the file is empty; expected a YAML mapping with at least group, node_id,"
          + " peers and coordination.key_file");
      return Optional.empty();
    }
    if (!root.isObject()) {
      problems.add("", "expected a YAML mapping of fields at the top level, got "
          + Values.kind(root));
      return Optional.empty();
    }
    return Optional.of((ObjectNode) root);
  }

  /**
   * One line naming the place. SnakeYAML's own message spans several lines and quotes the
   * offending line of the file, so it is rebuilt from its parts.
   */
  private static String syntaxError(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      String where = "YAML syntax error at line " + (yaml.getProblemMark().getLine() + 1)
          + ", column " + (yaml.getProblemMark().getColumn() + 1);
      String context = yaml.getContext() == null || yaml.getContextMark() == null
          ? ""
          : " (" + yaml.getContext() + " at line " + (yaml.getContextMark().getLine() + 1) + ")";
      return where + ": " + oneLine(yaml.getProblem()) + context;
    }
    JsonLocation at = e.getLocation();
    String where = at == null
        ? "YAML error"
        : "YAML error at line " + at.getLineNr() + ", column " + at.getColumnNr();
    String message = oneLine(e.getOriginalMessage());
    if (message.startsWith("Duplicate field ")) {
      message = "key " + message.substring("Duplicate field ".length()) + " appears twice";
    }
    return where + ": " + message;
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
