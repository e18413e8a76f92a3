package dev.redisha.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config file that cannot be used. It carries every problem found, so an operator fixes the file
 * in one round instead of one error per start attempt.
 */
public class ConfigException extends Exception {
  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(null, null, false, false);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  /** One line per problem, in the order they were found. */
  @Override
  public String getMessage() {
    return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
  }
}
