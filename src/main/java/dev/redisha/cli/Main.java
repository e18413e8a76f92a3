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
      OperationCommand.Switchover.class,
      OperationCommand.Pause.class,
      OperationCommand.Resume.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
