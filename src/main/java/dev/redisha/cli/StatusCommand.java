package dev.redisha.cli;

import dev.redisha.api.StatusClient;
import dev.redisha.api.StatusJson;
import dev.redisha.api.StatusResult;
import dev.redisha.api.StatusTable;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code redis-ha status}: the group as every agent reports it over {@code GET /status}. */
@Command(name = "status", description = "Show the group: node, role, health, priority, epoch, offset, lag, persistence.")
final class StatusCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, description = "a node's config: asks its agent and every peer's api address")
  Optional<Path> config;

  @Option(names = "--api", split = ",", description = "agent API addresses (host:port), instead of --config")
  List<String> apis = new ArrayList<>();

  @Option(names = "--json", description = "print the raw status documents as JSON")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<HostPort> targets = new ArrayList<>();
    for (String a : apis) {
      targets.add(HostPort.parse(a));
    }
    if (config.isPresent()) {
      Optional<NodeConfig> loaded = ConfigFile.load(config.get());
      if (loaded.isEmpty()) {
        return ConfigFile.INVALID;
      }
      NodeConfig c = loaded.get();
      targets.add(c.api().listen());
      c.peers().stream().map(PeerConfig::api).flatMap(Optional::stream).forEach(targets::add);
    }
    if (targets.isEmpty()) {
      System.err.println("status: give --config FILE or --api host:port[,host:port...]");
      return 2;
    }
    List<StatusResult> results = new StatusClient().fetchAll(targets);
    if (json) {
      List<Object> docs = new ArrayList<>();
      results.forEach(r -> docs.add(r.status().isPresent() ? r.status().get() : java.util.Map.of("agent", r.agent().toString(), "error", r.failure())));
      System.out.println(new String(StatusJson.write(docs), java.nio.charset.StandardCharsets.UTF_8));
    } else {
      System.out.print(StatusTable.render(results));
    }
    return results.stream().allMatch(StatusResult::reachable) ? 0 : 3;
  }
}
