package dev.redisha.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one config file while the loader keeps going. */
final class Problems {
  private final Path file;
  private final List<ConfigProblem> found = new ArrayList<>();
  private final List<ConfigProblem> warnings = new ArrayList<>();

  Problems(Path file) {
    this.file = file;
  }

  void add(String field, String message) {
    found.add(new ConfigProblem(file, field, message));
  }

  /**
   * Whether a field (or anything under it) already has a problem. Cross-field checks use this so
   * that a bad value, replaced by its default, does not cause a second, misleading complaint.
   */
  boolean concerns(String field) {
    return found.stream()
        .anyMatch(p -> p.field().equals(field)
            || p.field().startsWith(field + ".")
            || p.field().startsWith(field + "["));
  }

  /** Something that works but should be fixed (a secret file others can read). */
  void warn(String field, String message) {
    warnings.add(new ConfigProblem(file, field, message));
  }

  List<ConfigProblem> warnings() {
    return List.copyOf(warnings);
  }

  /** Whether this very field has a problem. */
  boolean reported(String field) {
    return found.stream().anyMatch(p -> p.field().equals(field));
  }

  void throwIfAny() throws ConfigException {
    if (!found.isEmpty()) {
      throw new ConfigException(found);
    }
  }
}
