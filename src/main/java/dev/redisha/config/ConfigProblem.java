package dev.redisha.config;

import java.nio.file.Path;

/**
 * One thing wrong with a config file.
 *
 * @param file the config file, as the caller named it
 * @param field dotted path of the offending field ("peers[1].advert_address"); empty when the
 *     problem concerns the whole file (unreadable, YAML syntax)
 * @param message what is wrong and what is expected; never contains a secret's value
 */
public record ConfigProblem(Path file, String field, String message) {

  /** The problem as one line: {@code <file>: <field>: <message>}. */
  @Override
  public String toString() {
    return field.isEmpty() ? file + ": " + message : file + ": " + field + ": " + message;
  }
}
