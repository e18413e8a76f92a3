package dev.redisha.config;

import java.util.Optional;
import java.util.regex.Pattern;

/** Group names and node ids: short, lower-case, safe in file names, metrics labels and URLs. */
final class Ids {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final String EXPECTED = "a name of 1 to 63 characters from a-z, 0-9, '_' and '-',"
      + " starting with a letter or digit";

  private Ids() {}

  /** A required id field. */
  static Optional<String> read(Section section, String name) {
    Optional<String> id = section.requiredText(name, EXPECTED);
    if (id.isPresent() && !ID.matcher(id.get()).matches()) {
      section.problem(name, "must be " + EXPECTED + ", got " + Values.show(id.get()));
      return Optional.empty();
    }
    return id;
  }
}
