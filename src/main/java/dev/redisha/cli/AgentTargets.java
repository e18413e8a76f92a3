package dev.redisha.cli;

import dev.redisha.api.AgentAccess;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which agents a read command asks and how: {@code --config} (its agent and every peer's
 * {@code api}, with its scheme, CA and read token) and/or {@code --api host:port,...}.
 */
final class AgentTargets {
  @Option(names = {"-c", "--config"}, description = "a node's config: asks its agent and every peer's api address,"
      + " over https if api.tls is set, with api.read_token (or api.token) if set")
  Optional<Path> config;

  @Option(names = "--api", split = ",", description = "agent API addresses (host:port), instead of or besides --config")
  List<String> apis = new ArrayList<>();

  /** What was resolved, or the exit code to return when the options do not name any agent. */
  record Resolved(List<HostPort> agents, AgentAccess access, int exitCode) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  Resolved resolve(String command) {
    LinkedHashSet<HostPort> targets = new LinkedHashSet<>();
    AgentAccess access = AgentAccess.PLAIN;
    if (config.isPresent()) {
      Optional<NodeConfig> loaded = ConfigFile.load(config.get());
      if (loaded.isEmpty()) {
        return new Resolved(List.of(), access, ConfigFile.INVALID);
      }
      NodeConfig c = loaded.get();
      try {
        access = AgentAccess.of(c.api());
      } catch (Exception e) {
        System.err.println(config.get() + ": api.tls.ca_file: " + e.getMessage());
        return new Resolved(List.of(), access, ConfigFile.INVALID);
      }
      targets.add(c.api().listen());
      c.peers().stream().map(PeerConfig::api).flatMap(Optional::stream).forEach(targets::add);
    }
    try {
      for (String a : apis) {
        targets.add(HostPort.parse(a));
      }
    } catch (IllegalArgumentException e) {
      System.err.println(command + ": --api: " + e.getMessage());
      return new Resolved(List.of(), access, Exit.USAGE);
    }
    if (targets.isEmpty()) {
      System.err.println(command + ": give --config FILE or --api host:port[,host:port...]");
      return new Resolved(List.of(), access, Exit.USAGE);
    }
    return new Resolved(List.copyOf(targets), access, 0);
  }
}
