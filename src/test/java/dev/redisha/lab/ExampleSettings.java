package dev.redisha.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The timings a new user gets: the scalar fields of the example config's coordination, health,
 * failover and persistence sections, read when the benchmark runs, so a change to the example is
 * measured as it is shipped. Addresses and key files stay the lab's.
 */
final class ExampleSettings {
  private static final Set<String> LAB_OWNED = Set.of("listen", "key_file", "key_env", "backend");

  private ExampleSettings() {}

  /** Section to field to YAML value (strings JSON-quoted, which YAML reads as the same string). */
  static Map<String, Map<String, String>> read(Path exampleConfig) throws IOException {
    JsonNode root = new YAMLMapper().readTree(exampleConfig.toFile());
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String section : new String[] {"coordination", "health", "failover", "persistence"}) {
      JsonNode node = root.path(section);
      Map<String, String> fields = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (LAB_OWNED.contains(f.getKey()) || !f.getValue().isValueNode()) {
          continue;
        }
        fields.put(f.getKey(), f.getValue().isTextual() ? f.getValue().toString() : f.getValue().asText());
      }
      out.put(section, fields);
    }
    return out;
  }
}
