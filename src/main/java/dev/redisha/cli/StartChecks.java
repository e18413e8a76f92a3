package dev.redisha.cli;

import dev.redisha.config.ConfigProblem;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisOptionsCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a valid config file can still trip on when the agent starts on this host: host names that
 * do not resolve, a state directory the agent cannot write, Redis options this redis-server does
 * not take. {@code run} performs them before it starts anything, and {@code check-config} shows
 * them, so the two agree. Nothing here leaves a trace: probe files and the test server are removed.
 */
final class StartChecks {
  /** Problems make {@code run} refuse to start; notes say what could not be checked. */
  record Result(List<ConfigProblem> problems, List<String> notes) {}

  private final NodeConfig config;
  private final Path file;
  private final List<ConfigProblem> problems = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private StartChecks(NodeConfig config, Path file) {
    this.config = config;
    this.file = file;
  }

  /** @param file the config file as the operator named it, for the messages */
  static Result run(NodeConfig config, Path file) {
    StartChecks c = new StartChecks(config, file);
    c.hostsResolve();
    c.writable("state_dir", config.stateDir());
    if (config.redis().mode() == RedisMode.MANAGED && !config.redis().dataDir().startsWith(config.stateDir())) {
      c.writable("redis.data_dir", config.redis().dataDir());
    }
    c.redisOptions();
    return new Result(List.copyOf(c.problems), List.copyOf(c.notes));
  }

  private void hostsResolve() {
    Map<String, HostPort> addresses = new LinkedHashMap<>();
    addresses.put("redis.host", config.redis().address());
    addresses.put("redis.announce_host", config.redis().announce());
    addresses.put("coordination.listen", config.coordination().listen());
    addresses.put("api.listen", config.api().listen());
    config.endpoints().proxy().ifPresent(p -> addresses.put("endpoints.proxy.listen", p.listen()));
    config.endpoints().sentinel().ifPresent(s -> {
      addresses.put("endpoints.sentinel.listen", s.listen());
      int i = 0;
      for (HostPort peer : s.peers().values()) {
        addresses.put("endpoints.sentinel.peers[" + i++ + "]", peer);
      }
    });
    for (int i = 0; i < config.peers().size(); i++) {
      PeerConfig p = config.peers().get(i);
      addresses.put("peers[" + i + "].advert_address", p.advert());
      addresses.put("peers[" + i + "].redis", p.redis());
      int index = i;
      p.api().ifPresent(a -> addresses.put("peers[" + index + "].api", a));
    }
    // Each host once: a name that does not resolve is named where it first appears.
    Map<String, Boolean> resolved = new LinkedHashMap<>();
    addresses.forEach((field, address) -> {
      if (!resolved.containsKey(address.host())) {
        boolean ok = resolves(address.host());
        resolved.put(address.host(), ok);
        if (!ok) {
          problem(field, "the host " + address.host() + " cannot be resolved here (DNS or"
              + " /etc/hosts); use an IP address or a name that resolves");
        }
      }
    });
  }

  private static boolean resolves(String host) {
    try {
      InetAddress.getByName(host.contains(":") ? "[" + host + "]" : host);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Tries what the agent will do: create a file in the directory, or, if it does not exist yet,
   * a directory where it will be created. Permission bits would not tell (root ignores them, a
   * read-only mount does not show in them).
   */
  private void writable(String field, Path dir) {
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      problem(field, dir + " cannot be created: " + existing + " is not a directory");
      return;
    }
    try {
      Path probe = existing.equals(dir)
          ? Files.createTempFile(dir, ".redis-ha-write-check-", "")
          : Files.createTempDirectory(existing, ".redis-ha-write-check-");
      Files.delete(probe);
    } catch (IOException e) {
      String what = existing.equals(dir)
          ? "the agent cannot create files in " + dir
          : dir + " cannot be created (nothing can be created in " + existing + ")";
      problem(field, what + ": " + why(e) + "; the agent keeps its state and event log there");
    }
  }

  private void redisOptions() {
    List<String> extraArgs = config.redis().extraArgs();
    if (config.redis().mode() == RedisMode.EXTERNAL) {
      notes.add("redis options: not checked (redis.mode is external: this agent does not start redis-server)");
      return;
    }
    if (extraArgs.isEmpty()) {
      return;
    }
    Path binary;
    try {
      binary = RedisBinary.locate(config.redis().binary());
    } catch (IllegalStateException | UncheckedIOException e) {
      problem("redis.binary", "no redis-server to run: " + e.getMessage());
      return;
    }
    try {
      Optional<RedisOptionsCheck.Verdict> verdict = RedisOptionsCheck.ask(binary, extraArgs);
      if (verdict.isEmpty()) {
        notes.add("redis.extra_args: not checked (" + binary + " neither started nor failed within 5 s)");
      } else if (!verdict.get().accepted()) {
        problem("redis.extra_args", binary + " does not start with these options: " + verdict.get().reason());
      }
    } catch (UncheckedIOException | IllegalStateException e) {
      problem("redis.binary", "cannot run " + binary + " to check redis.extra_args: " + e.getMessage());
    }
  }

  private static String why(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getClass().getSimpleName();
  }

  private void problem(String field, String message) {
    problems.add(new ConfigProblem(file, field, message));
  }
}
