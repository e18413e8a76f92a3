package dev.redisha.cli;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import java.util.ArrayList;
import java.util.List;
import dev.redisha.config.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchover}, {@code pause}, {@code resume}: POSTs to an agent's API with the token from
 * the node's config (a file or the environment, never the command line).
 */
abstract class OperationCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, description = "a node's config: its api address and token")
  Path config;

  @Option(names = "--api", description = "send to this agent (host:port) instead of the config's own api address")
  Optional<String> api;

  abstract String path();

  @Override
  public Integer call() throws Exception {
    Optional<NodeConfig> loaded = ConfigFile.load(config);
    if (loaded.isEmpty()) {
      return ConfigFile.INVALID;
    }
    NodeConfig c = loaded.get();
    Optional<Secret> token = c.api().token();
    if (token.isEmpty()) {
      System.err.println(config + ": api.token_file or api.token_env is needed for write operations");
      return 2;
    }
    List<HostPort> targets = new ArrayList<>();
    if (api.isPresent()) {
      targets.add(HostPort.parse(api.get()));
    } else {
      targets.add(c.api().listen());
      if (toEveryAgent()) {
        c.peers().stream().map(PeerConfig::api).flatMap(Optional::stream).forEach(targets::add);
      }
    }
    int failures = 0;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (HostPort target : targets) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + target + path()))
          .timeout(Duration.ofSeconds(5))
          .header("Authorization", "Bearer " + token.get().text())
          .POST(HttpRequest.BodyPublishers.noBody())
          .build();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(target + ": " + response.body());
        failures += response.statusCode() == 200 ? 0 : 1;
      } catch (java.io.IOException e) {
        System.out.println(target + ": unreachable: " + e.getMessage());
        failures++;
      }
    }
    return failures == 0 ? 0 : 1;
  }

  /** Maintenance mode concerns every agent; a switchover only the master's. */
  boolean toEveryAgent() {
    return false;
  }

  @Command(name = "switchover", description = "Hand the master role over with zero loss (send to the master's agent).")
  static final class Switchover extends OperationCommand {
    @Option(names = "--to", description = "the node to hand over to (default: the best in-sync replica)")
    Optional<String> to;

    @Override
    String path() {
      return "/switchover" + to.map(n -> "?to=" + java.net.URLEncoder.encode(n, java.nio.charset.StandardCharsets.UTF_8)).orElse("");
    }
  }

  @Command(name = "pause", description = "Maintenance mode: no automatic failover or failback on this agent.")
  static final class Pause extends OperationCommand {
    @Override
    boolean toEveryAgent() {
      return true;
    }

    @Override
    String path() {
      return "/pause";
    }
  }

  @Command(name = "resume", description = "End maintenance mode.")
  static final class Resume extends OperationCommand {
    @Override
    boolean toEveryAgent() {
      return true;
    }

    @Override
    String path() {
      return "/resume";
    }
  }
}
