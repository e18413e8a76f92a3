package dev.redisha.cli;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import java.util.ArrayList;
import java.util.List;
import dev.redisha.config.Secret;
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

  /** How to reach the agents (scheme, CA, read token for the status polls), from the config. */
  dev.redisha.api.AgentAccess access = dev.redisha.api.AgentAccess.PLAIN;

  @Override
  public Integer call() throws Exception {
    Optional<NodeConfig> loaded = ConfigFile.load(config);
    if (loaded.isEmpty()) {
      return ConfigFile.INVALID;
    }
    NodeConfig c = loaded.get();
    Optional<Integer> stop = before(c);
    if (stop.isPresent()) {
      return stop.get();
    }
    try {
      access = dev.redisha.api.AgentAccess.of(c.api());
    } catch (Exception e) {
      System.err.println(config + ": api.tls.ca_file: " + e.getMessage());
      return ConfigFile.INVALID;
    }
    Optional<Secret> token = c.api().token();
    if (token.isEmpty()) {
      System.err.println(config + ": api.token_file or api.token_env is needed for write operations");
      return 2;
    }
    List<HostPort> targets = new ArrayList<>();
    if (api.isPresent()) {
      targets.add(HostPort.parse(api.get()));
    } else {
      Optional<HostPort> first = defaultTarget(c);
      if (first.isEmpty()) {
        return Exit.USAGE;
      }
      targets.add(first.get());
      if (toEveryAgent()) {
        c.peers().stream().map(PeerConfig::api).flatMap(Optional::stream).forEach(targets::add);
      }
    }
    int failures = 0;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
    access.tls().ifPresent(builder::sslContext);
    HttpClient http = builder.build();
    for (HostPort target : targets) {
      HttpRequest request = HttpRequest.newBuilder(access.uri(target, path()))
          .timeout(Duration.ofSeconds(5))
          .header("Authorization", "Bearer " + token.get().text())
          .POST(HttpRequest.BodyPublishers.noBody())
          .build();
      String who = agentName(c, target);
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(who + ": " + messageOf(response.body()));
        if (response.statusCode() != 200) {
          failures++;
        } else if (!awaitOutcome(target, who)) {
          failures++;
        }
      } catch (java.io.IOException e) {
        System.err.println(who + "'s agent is unreachable at " + target + ": " + describe(e));
        failures++;
      }
    }
    return failures == 0 ? 0 : 1;
  }

  /** Checks before anything is sent (options, confirmation): an exit code to stop with, or empty. */
  Optional<Integer> before(NodeConfig c) {
    return Optional.empty();
  }

  /** The agent to send to without {@code --api}: the config's own (empty: said why, exit 2). */
  Optional<HostPort> defaultTarget(NodeConfig c) {
    return Optional.of(c.api().listen());
  }

  /** After an accepted request: whether what was asked for happened (a switchover waits for it). */
  boolean awaitOutcome(HostPort agent, String who) throws InterruptedException {
    return true;
  }

  /** What one look at the agent's status says: happened (true), did not (false), not yet (empty). */
  interface Verdict {
    Optional<Boolean> of(dev.redisha.api.NodeStatus s, long elapsedMs);
  }

  /**
   * Polls {@code agent}'s status every 50 ms, for at most 60 s, until {@code verdict} gives one;
   * the verdict prints what happened. Bounded anyway: the agent drops a request it cannot carry
   * out after failover.switchover_request_timeout_ms.
   */
  boolean pollForOutcome(HostPort agent, String what, Verdict verdict) throws InterruptedException {
    dev.redisha.api.StatusClient client = new dev.redisha.api.StatusClient(access);
    long started = System.nanoTime();
    long deadline = started + 60_000_000_000L;
    String last = "";
    while (System.nanoTime() < deadline) {
      dev.redisha.api.StatusResult r = client.fetch(agent);
      if (r.status().isPresent()) {
        dev.redisha.api.NodeStatus s = r.status().get();
        Optional<Boolean> v = verdict.of(s, (System.nanoTime() - started) / 1_000_000);
        if (v.isPresent()) {
          return v.get();
        }
        last = s.lastDecision();
      }
      Thread.sleep(50); // polling an HTTP status, not synchronising a test
    }
    System.err.println(what + " not confirmed within 60 s; last decision: " + last);
    return false;
  }

  /** "b" for the config's peer whose api is {@code target}, else the address. */
  static String agentName(NodeConfig c, HostPort target) {
    if (c.api().listen().equals(target)) {
      return c.nodeId();
    }
    return c.peers().stream().filter(p -> p.api().map(target::equals).orElse(false)).map(PeerConfig::nodeId)
        .findFirst().orElse(target.toString());
  }

  /** A sentence for an I/O failure; the JDK client often leaves the message of a refusal empty. */
  static String describe(java.io.IOException e) {
    if (e instanceof java.net.ConnectException) {
      return e.getMessage() == null || e.getMessage().isBlank() ? "connection refused" : e.getMessage();
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "no answer in time";
    }
    return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The "message" of an operation's JSON answer, or the body as it is. */
  static String messageOf(String body) {
    try {
      com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
      if (n != null && n.hasNonNull("message")) {
        return n.get("message").asText();
      }
      if (n != null && n.hasNonNull("error")) {
        return n.get("error").asText();
      }
    } catch (java.io.IOException notJson) {
      // shown as it is
    }
    return body;
  }

  static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Maintenance mode concerns every agent; a switchover only the master's. */
  boolean toEveryAgent() {
    return false;
  }

  @Command(name = "switchover", description = "Hand the master role over with zero loss (send to the master's agent);"
      + " waits until it happened and says so (exit 0), or why not (exit 1).")
  static final class Switchover extends OperationCommand {
    @Option(names = "--to", description = "the node to hand over to (default: the best in-sync replica)")
    Optional<String> to;

    @Option(names = "--no-wait", description = "return once the request is accepted, without waiting for the outcome")
    boolean noWait;

    @Option(names = "--cancel", description = "drop a pending switchover request, or the group's scheduled one")
    boolean cancel;

    @Option(names = "--at", paramLabel = "TIME", description = "schedule it for the whole group: an ISO-8601 time"
        + " (2026-12-02T10:30:00Z) or a time from now (+90s, +10m, +2h, +1d); at most 7 days ahead; needs --to")
    Optional<String> at;

    /** The due time, as the agent is sent it. */
    private String due = "";

    @Override
    Optional<Integer> before(NodeConfig c) {
      if (at.isEmpty()) {
        return Optional.empty();
      }
      if (to.isEmpty() || cancel) {
        System.err.println(to.isEmpty() ? "--at needs --to NODE: a scheduled switchover names its target"
            : "--at and --cancel do not go together; to drop a scheduled switchover use --cancel alone");
        return Optional.of(Exit.USAGE);
      }
      try {
        long when = dev.redisha.coordination.SwitchoverTime.parse(at.get(), System.currentTimeMillis());
        // Said here with this machine's clock; the agent checks again with its own.
        Optional<String> bad = dev.redisha.coordination.SwitchoverTime.refusal(when, System.currentTimeMillis());
        if (bad.isPresent()) {
          System.err.println("--at: " + bad.get());
          return Optional.of(Exit.USAGE);
        }
        due = java.time.Instant.ofEpochMilli(when).toString();
      } catch (IllegalArgumentException e) {
        System.err.println("--at: " + e.getMessage());
        return Optional.of(Exit.USAGE);
      }
      return Optional.empty();
    }

    @Override
    String path() {
      if (cancel) {
        return "/switchover?cancel=true";
      }
      if (!due.isEmpty()) {
        return "/switchover?to=" + enc(to.orElseThrow()) + "&at=" + enc(due);
      }
      return "/switchover" + to.map(n -> "?to=" + java.net.URLEncoder.encode(n, java.nio.charset.StandardCharsets.UTF_8)).orElse("");
    }

    @Override
    boolean awaitOutcome(HostPort agent, String who) throws InterruptedException {
      if (noWait || cancel || !due.isEmpty()) {
        return true;
      }
      dev.redisha.api.StatusClient client = new dev.redisha.api.StatusClient(access);
      Optional<dev.redisha.api.NodeStatus> before = client.fetch(agent).status();
      String oldMaster = before.map(dev.redisha.api.NodeStatus::epochMaster).orElse(who);
      return pollForOutcome(agent, "switchover", (s, elapsedMs) -> {
        boolean moved = !s.epochMaster().equals(oldMaster) && to.map(s.epochMaster()::equals).orElse(true);
        if (moved) {
          System.out.printf("switchover done: %s is master of epoch %d (%d ms)%n", s.epochMaster(), s.epoch(),
              elapsedMs);
          return Optional.of(true);
        }
        if (s.pendingSwitchover().isEmpty() && s.state() == dev.redisha.coordination.AgentState.MASTER) {
          System.err.println("switchover did not happen: " + oldMaster + " is still master (" + s.lastDecision() + ")");
          return Optional.of(false);
        }
        return Optional.empty();
      });
    }
  }

  @Command(name = "pause", description = "Maintenance mode for the whole group: no automatic failover or failback.")
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
