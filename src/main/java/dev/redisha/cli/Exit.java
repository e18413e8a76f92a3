package dev.redisha.cli;

/**
 * The exit codes every command keeps, for scripts (README "Exit codes"). They never change
 * meaning; new situations get new numbers.
 */
final class Exit {
  /** Done: every agent answered, the operation happened. */
  static final int OK = 0;
  /** An operation was refused or did not happen (the agent said why). */
  static final int REFUSED = 1;
  /** Bad command line or invalid config: nothing was asked. */
  static final int USAGE = 2;
  /** Some agent did not answer; what the others said was still printed. */
  static final int UNREACHABLE = 3;

  private Exit() {}
}
