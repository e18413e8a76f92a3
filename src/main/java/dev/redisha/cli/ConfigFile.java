package dev.redisha.cli;

import dev.redisha.config.ConfigException;
import dev.redisha.config.ConfigLoader;
import dev.redisha.config.NodeConfig;
import java.nio.file.Path;
import java.util.Optional;

/** Loads a node's config for a command, printing every problem on stderr when it is invalid. */
final class ConfigFile {
  /** Exit code of a command given an invalid config. */
  static final int INVALID = 2;

  private ConfigFile() {}

  static Optional<NodeConfig> load(Path file) {
    try {
      return Optional.of(ConfigLoader.load(file));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return Optional.empty();
    }
  }
}
