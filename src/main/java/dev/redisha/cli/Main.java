package dev.redisha.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code redis-ha}: the agent and its operator commands. */
@Command(
    name = "redis-ha",
    mixinStandardHelpOptions = true,
    version = "redis-ha 0.1.0",
    description = "High-availability manager for Redis primary/replica groups.",
    subcommands = {
      RunCommand.class,
      CheckConfigCommand.class,
      DemoCommand.class,
      StatusCommand.class,
      HistoryCommand.class,
      OperationCommand.Switchover.class,
      FailoverCommand.class,
      OperationCommand.Pause.class,
      OperationCommand.Resume.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with {@code --help} and {@code --version} on every subcommand. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand(new ImportKeepalivedCommand());
    cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().mixinStandardHelpOptions(true));
    // A usage error: what was wrong, a suggestion if picocli has one, and the usage, on stderr.
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      java.io.PrintWriter err = c.getErr();
      err.println(ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      c.usage(err);
      return 2;
    });
    return cl;
  }

  /** No subcommand: the usage, on stderr, and exit 2 as for any other usage error. */
  @Override
  public void run() {
    // The parameter exception handler prints the message and the usage to stderr.
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
