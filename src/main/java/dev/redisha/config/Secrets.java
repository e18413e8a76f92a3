package dev.redisha.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a secret named by a pair of fields, {@code <name>_file} or {@code <name>_env} (DESIGN §3
 * rule 6). Problem messages show the file path or the variable name, never the value or the file's
 * contents.
 */
final class Secrets {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  // A secret file is a line or two; anything bigger is the wrong file, not a long password.
  private static final long MAX_FILE_BYTES = 64 * 1024;

  private final Map<String, String> env;

  Secrets(Map<String, String> env) {
    this.env = env;
  }

  /**
   * The secret of {@code <name>_file} or {@code <name>_env}. At most one of them may be set; with
   * {@code required}, exactly one. The secret must have at least {@code minBytes} bytes.
   */
  Optional<Secret> read(Section section, String name, boolean required, int minBytes) {
    String fileField = name + "_file";
    String envField = name + "_env";
    boolean hasFile = section.has(fileField);
    boolean hasEnv = section.has(envField);
    if (hasFile && hasEnv) {
      section.problem(envField, "conflicts with " + section.field(fileField) + "; set only one");
      return Optional.empty();
    }
    if (!hasFile && !hasEnv) {
      if (required) {
        section.problem(fileField, "is required (or " + section.field(envField)
            + " instead); expected the path of a file holding the " + name);
      }
      return Optional.empty();
    }
    Optional<Secret> secret = hasFile ? fromFile(section, fileField) : fromEnv(section, envField);
    String field = hasFile ? fileField : envField;
    if (secret.isPresent() && secret.get().bytes().length < minBytes) {
      section.problem(field, "the " + name + " must be at least " + minBytes + " bytes, got "
          + secret.get().bytes().length);
      return Optional.empty();
    }
    return secret;
  }

  private Optional<Secret> fromFile(Section section, String field) {
    Optional<Path> file = section.file(field, "the path of a readable file", false, false);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Path path = file.get();
    section.warnIfOthersCanRead(field, path);
    try {
      if (Files.size(path) > MAX_FILE_BYTES) {
        section.problem(field, path + " is larger than " + MAX_FILE_BYTES
            + " bytes; expected a small file holding only the secret");
        return Optional.empty();
      }
      byte[] value = withoutTrailingNewlines(Files.readAllBytes(path));
      if (value.length == 0) {
        section.problem(field, path + " is empty; expected it to hold the secret");
        return Optional.empty();
      }
      return Optional.of(new Secret(value, "file " + path));
    } catch (IOException e) {
      section.problem(field, "cannot read " + path + ": " + e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  private Optional<Secret> fromEnv(Section section, String field) {
    Optional<String> name = section.text(field, "the name of an environment variable", false);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    if (!ENV_NAME.matcher(name.get()).matches()) {
      // Not echoed: a value that is no variable name may be the secret itself.
      section.problem(field, "must be the name of an environment variable (letters, digits and _,"
          + " not starting with a digit); the value is not shown in case it is the secret");
      return Optional.empty();
    }
    String value = env.get(name.get());
    if (value == null || value.isEmpty()) {
      section.problem(field, "environment variable " + name.get() + " must be set and non-empty");
      return Optional.empty();
    }
    return Optional.of(new Secret(value.getBytes(StandardCharsets.UTF_8),
        "env " + name.get()));
  }

  // Editors end files with a newline; without this a key from a file and the same key from an
  // environment variable would differ, and the agents' HMACs would not match.
  private static byte[] withoutTrailingNewlines(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
      end--;
    }
    return Arrays.copyOf(bytes, end);
  }
}
