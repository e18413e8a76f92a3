package dev.redisha.cli;

import dev.redisha.config.ConfigException;
import dev.redisha.config.ConfigLoader;
import dev.redisha.config.NodeConfig;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads a node's config for a command, printing every problem on stderr when it is invalid. */
final class ConfigFile {
  private static final Logger log = LoggerFactory.getLogger(ConfigFile.class);
  /** Exit code of a command given an invalid config. */
  static final int INVALID = 2;

  private ConfigFile() {}

  /**
   * For {@code run}: also the checks of this host ({@link StartChecks}); warnings go to the
   * agent's log.
   */
  static Optional<NodeConfig> loadToRun(Path file) {
    try {
      NodeConfig config = ConfigLoader.load(file, System.getenv(), w -> log.warn("{}", w));
      StartChecks.Result checks = StartChecks.run(config, file);
      checks.problems().forEach(System.err::println);
      return checks.problems().isEmpty() ? Optional.of(config) : Optional.empty();
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return Optional.empty();
    }
  }

  static Optional<NodeConfig> load(Path file) {
    try {
      return Optional.of(ConfigLoader.load(file));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return Optional.empty();
    }
  }
}
