package dev.redisha.cli;

import dev.redisha.config.ConfigException;
import dev.redisha.config.ConfigLoader;
import dev.redisha.config.NodeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code redis-ha check-config FILE...}: the validation the agent runs at start, and nothing else. */
@Command(name = "check-config", description = "Validate node config files; exit 1 if any has a problem.")
final class CheckConfigCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE")
  List<Path> files;

  @Override
  public Integer call() {
    int bad = 0;
    for (Path f : files) {
      try {
        NodeConfig c = ConfigLoader.load(f);
        System.out.printf("%s: ok (group %s, node %s, %d peer(s), %s mode)%n", f, c.group(), c.nodeId(),
            c.peers().size(), c.redis().mode().toString().toLowerCase());
      } catch (ConfigException e) {
        System.out.println(e.getMessage());
        bad++;
      }
    }
    return bad == 0 ? 0 : 1;
  }
}
