package dev.redisha.cli;

import dev.redisha.config.ConfigException;
import dev.redisha.config.ConfigLoader;
import dev.redisha.config.NodeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code redis-ha check-config FILE...}: the validation the agent runs at start; given several
 * files, also whether they fit together as one group (see {@link GroupConsistency}).
 */
@Command(name = "check-config", description = "Validate node config files as run does at start"
    + " (fields, addresses, listeners sharing a port, a writable state directory, redis.extra_args"
    + " tried on this redis-server; secret files others can read are a warning), and with several"
    + " files whether they form one group (same group and key, distinct node ids, peers that name"
    + " each other); exit 1 if anything is wrong.")
final class CheckConfigCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE")
  List<Path> files;

  @Override
  public Integer call() {
    int bad = 0;
    List<GroupConsistency.Node> loaded = new ArrayList<>();
    for (Path f : files) {
      try {
        NodeConfig c = ConfigLoader.load(f, System.getenv(), w -> System.out.println("warning: " + w));
        StartChecks.Result start = StartChecks.run(c, f);
        start.notes().forEach(n -> System.out.println(f + ": note: " + n));
        loaded.add(new GroupConsistency.Node(f, c));
        if (!start.problems().isEmpty()) {
          start.problems().forEach(System.out::println);
          bad++;
          continue;
        }
        System.out.printf("%s: ok (group %s, node %s, %d peer(s), %s mode)%n", f, c.group(), c.nodeId(),
            c.peers().size(), c.redis().mode().toString().toLowerCase());
      } catch (ConfigException e) {
        System.out.println(e.getMessage());
        bad++;
      }
    }
    if (loaded.size() > 1) {
      List<String> group = GroupConsistency.problems(loaded);
      group.forEach(System.out::println);
      if (group.isEmpty()) {
        System.out.printf("group: ok (%d files agree on group, key and peers)%n", loaded.size());
      }
      bad += group.size();
    }
    return bad == 0 ? 0 : 1;
  }
}
