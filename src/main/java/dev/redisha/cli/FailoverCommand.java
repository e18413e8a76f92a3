package dev.redisha.cli;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.coordination.AgentState;
import java.io.Console;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code failover --to NODE}: a forced failover for a master that is gone or broken, sent to the
 * target's agent (it promotes its own Redis through the takeover path: fence the old master,
 * durable epoch, then REPLICAOF NO ONE). Asks on the terminal first unless {@code --force}.
 */
@Command(name = "failover", description = "Force NODE to take the master role when the master is gone or broken"
    + " (sent to NODE's agent). Refused while the master is healthy (use switchover) and when NODE's data is"
    + " behind the last known master's, unless --allow-data-loss. Asks for confirmation unless --force."
    + " Exit 0: NODE is master; 1: refused or it did not happen; 2: bad options, no terminal to ask on.")
final class FailoverCommand extends OperationCommand {
  @Option(names = "--to", required = true, paramLabel = "NODE", description = "the node to make master")
  String to;

  @Option(names = "--force", description = "do not ask for confirmation (scripts; no terminal)")
  boolean force;

  @Option(names = "--allow-data-loss", description = "fail over even if NODE's data is behind the last known master's")
  boolean allowDataLoss;

  @Option(names = "--no-wait", description = "return once the request is accepted, without waiting for the outcome")
  boolean noWait;

  @Override
  Optional<Integer> before(NodeConfig c) {
    if (force) {
      return Optional.empty();
    }
    Console console = System.console();
    if (console == null) {
      System.err.println("failover needs a confirmation and there is no terminal to ask on: add --force to fail over"
          + " to " + to + " without asking");
      return Optional.of(Exit.USAGE);
    }
    String answer = console.readLine("Force %s to become master? The old master is fenced if it answers;%s"
        + " type 'yes' to go on: ", to, allowDataLoss ? " writes " + to + " has not received are LOST;" : "");
    if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).equals("yes")) {
      System.err.println("failover not sent: not confirmed");
      return Optional.of(Exit.REFUSED);
    }
    return Optional.empty();
  }

  @Override
  Optional<HostPort> defaultTarget(NodeConfig c) {
    if (c.nodeId().equals(to)) {
      return Optional.of(c.api().listen());
    }
    Optional<PeerConfig> peer = c.peers().stream().filter(p -> p.nodeId().equals(to)).findFirst();
    if (peer.isEmpty()) {
      System.err.println(config + ": no node '" + to + "' in group " + c.group());
      return Optional.empty();
    }
    if (peer.get().api().isEmpty()) {
      System.err.println(config + ": peers." + to + ".api is not set: give " + to + "'s agent with --api host:port");
      return Optional.empty();
    }
    return peer.get().api();
  }

  @Override
  String path() {
    return "/failover?to=" + enc(to) + (allowDataLoss ? "&allow_data_loss=true" : "");
  }

  @Override
  boolean awaitOutcome(HostPort agent, String who) throws InterruptedException {
    if (noWait) {
      return true;
    }
    long[] goneSince = {0};
    return pollForOutcome(agent, "failover", (s, elapsedMs) -> {
      if (s.state() == AgentState.MASTER && s.epochMaster().equals(to)) {
        System.out.printf("failover done: %s is master of epoch %d (%d ms)%n", to, s.epoch(), elapsedMs);
        return Optional.of(true);
      }
      // Gone from the status and not master: dropped (a fence that failed, an epoch that
      // could not be recorded, a peer in the way); seen for 500 ms, not a passing moment.
      if (s.pendingSwitchover().isEmpty()) {
        long now = System.nanoTime();
        goneSince[0] = goneSince[0] == 0 ? now : goneSince[0];
        if (now - goneSince[0] > 500_000_000L) {
          System.err.println("failover did not happen: " + to + " is " + s.state() + " (" + s.lastDecision() + ")");
          return Optional.of(false);
        }
      } else {
        goneSince[0] = 0;
      }
      return Optional.empty();
    });
  }
}
