package dev.redisha.cli;

import dev.redisha.testsupport.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What an operator meets at the command line: exit codes, help, errors as sentences. */
class CommandLineTest {

  @Test
  void everySubcommandHasHelpAndExitsZeroWithIt() {
    CommandLine cl = Main.commandLine();
    for (var e : cl.getSubcommands().entrySet()) {
      String sub = e.getKey();
      CliRun r = run(sub, "--help");
      assertEquals(0, r.exit(), sub + " --help: " + r.err());
      // An alias ("list") prints the usage of the command it stands for ("status").
      String name = e.getValue().getCommandName();
      assertTrue(r.out().contains("Usage: redis-ha " + name), sub + " --help printed: " + r.out());
    }
  }

  @Test
  void anUnknownSubcommandOrOptionExitsTwoWithTheUsageOnStderr() {
    for (String[] args : new String[][] {{"reinit"}, {"status", "--bogus"}, {"list", "--watch-count"}, {}}) {
      CliRun r = run(args);
      assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.out() + r.err());
      assertTrue(r.err().contains("Usage:"), "usage on stderr for " + String.join(" ", args) + ": " + r.err());
      assertFalse(r.out().contains("Usage:"), "nothing on stdout for a usage error");
    }
  }

  @Test
  void aReadCommandWithoutAnyAgentExitsTwoSayingWhatToGive() {
    for (String sub : new String[] {"status", "list", "history"}) {
      CliRun r = run(sub);
      assertEquals(2, r.exit(), sub + ": " + r.err());
      assertTrue(r.err().contains("--config FILE or --api"), sub + ": " + r.err());
    }
    CliRun zero = run("list", "--api", "127.0.0.1:1", "--watch-count", "0");
    assertEquals(2, zero.exit(), zero.err());
  }

  @Test
  void aRefusedConnectionReadsAsASentenceNotNull() {
    assertEquals("connection refused", OperationCommand.describe(new ConnectException()));
    assertEquals("connection refused", OperationCommand.describe(new ConnectException(null)));
  }

  private static CliRun run(String... args) {
    return CliRun.run(args);
  }
}
