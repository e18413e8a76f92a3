package dev.redisha.cli;

import dev.redisha.agent.Agent;
import dev.redisha.config.NodeConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code redis-ha run --config node.yaml}: the agent, until SIGTERM or Ctrl-C. */
@Command(name = "run", description = "Run the agent of one node.")
final class RunCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, description = "the node's YAML config file")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    Optional<NodeConfig> loaded = ConfigFile.loadToRun(config);
    if (loaded.isEmpty()) {
      return ConfigFile.INVALID;
    }
    NodeConfig c = loaded.get();
    Agent agent;
    try {
      agent = new Agent(c).start();
    } catch (IllegalStateException | java.io.UncheckedIOException e) {
      // A missing capability, a port in use, an unreadable state file: say it in one line.
      System.err.println("redis-ha: cannot start the agent of " + config + ": " + e.getMessage());
      return 3;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "shutdown"));
    System.err.printf("redis-ha agent %s of group %s running; HTTP API on %s:%d%n",
        c.nodeId(), c.group(), c.api().listen().host(), agent.apiPort());
    stopped.await();
    return 0;
  }
}
