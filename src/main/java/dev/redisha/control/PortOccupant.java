package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.redis.InfoParser;
import dev.redisha.redis.RedisConnector;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What holds this node's Redis port before the agent starts a server on it.
 *
 * <p>A server is this node's own, left running by an agent that died, when all of these hold:
 * it accepts the node's credentials, reports this node's port ({@code tcp_port}), works in this
 * node's {@code data_dir} ({@code CONFIG GET dir}), has no {@code config_file} (the agent always
 * passes its config on standard input), and its {@code process_id} is that server on this host:
 * the process works in the same directory (or, without {@code /proc}, started when the server
 * says it did), so a reused PID or one from another PID namespace is never taken for it.
 * Nobody else has a reason to run a Redis in the directory the agent manages, and such a server
 * holds the node's data: it may be the group's current master, so it is adopted, never shut
 * down. Anything else on the port is foreign: reported, never signalled, never driven.
 *
 * @param pid the server's process id (OURS only)
 * @param runId its {@code run_id} (OURS only)
 * @param description a sentence for the log and the event
 */
record PortOccupant(Kind kind, long pid, String runId, String description) {
  enum Kind {
    NONE,
    OURS,
    FOREIGN
  }

  /** A process start time and Redis' uptime (whole seconds) may disagree by this much. */
  private static final Duration START_TIME_SLACK = Duration.ofSeconds(5);

  static PortOccupant inspect(RedisConnector connector, HostPort address, Path dataDir, int timeoutMs) {
    String where = address.toString();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address.host(), address.port()), timeoutMs);
    } catch (ConnectException e) {
      return new PortOccupant(Kind.NONE, 0, "", "nothing listens on " + where);
    } catch (IOException e) {
      // Not refused, not accepted: a filter between the agent and its own address. A server
      // started there reports for itself whether it can bind.
      return new PortOccupant(Kind.NONE, 0, "", where + " did not answer a connection (" + e.getMessage() + ")");
    }
    Map<String, String> server;
    String dir;
    try (Jedis j = connector.connect(address, timeoutMs)) {
      server = InfoParser.parse(j.info("server") + "\n" + j.info("replication")).raw();
      dir = j.configGet("dir").getOrDefault("dir", "");
    } catch (JedisDataException e) {
      // Also this node's own server after the password was changed: the agent cannot tell, so
      // the operator must stop it (the agent then starts one with the new password).
      return foreign("a Redis on " + where + " refuses this node's credentials or commands ("
          + firstLine(e.getMessage()) + "; if it is this node's server from before a password change, stop it)");
    } catch (JedisConnectionException e) {
      return foreign("something listens on " + where + " but does not answer as Redis ("
          + firstLine(e.getMessage()) + ")");
    }
    long pid = parseLong(server.get("process_id"));
    String runId = server.getOrDefault("run_id", "");
    String name = "redis-server pid " + pid + " on " + where;
    if (parseLong(server.get("tcp_port")) != address.port()) {
      return foreign(name + " reports port " + server.get("tcp_port") + " (forwarded from elsewhere?)");
    }
    Optional<Path> ours = realPath(dataDir);
    Optional<Path> its = dir.isEmpty() ? Optional.empty() : realPath(Path.of(dir));
    if (ours.isEmpty() || its.isEmpty() || !ours.equals(its)) {
      return foreign(name + " works in " + (dir.isEmpty() ? "an unknown directory" : dir)
          + ", not in this node's data_dir " + dataDir.toAbsolutePath());
    }
    String configFile = server.getOrDefault("config_file", "");
    if (!configFile.isEmpty()) {
      return foreign(name + " was started from " + configFile + "; the agent never starts one from a file");
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (pid <= 0 || process.isEmpty()) {
      return foreign(name + " is not a process on this host (another container or PID namespace?)");
    }
    long uptime = parseLong(server.get("uptime_in_seconds"));
    Optional<Path> cwd = workingDirectory(pid);
    if (cwd.isPresent()) {
      // Redis chdir()s to its dir: the process with that PID here is the server that answered.
      if (!cwd.equals(ours)) {
        return foreign(name + ": process " + pid + " on this host works in " + cwd.get()
            + ", not in the directory that server reports (another PID namespace?)");
      }
    } else {
      // No /proc to look at: the process must at least have started when the server says it did.
      Optional<Instant> started = process.get().info().startInstant();
      Instant claimed = Instant.now().minusSeconds(uptime);
      if (started.isPresent() && Duration.between(started.get(), claimed).abs().compareTo(START_TIME_SLACK) > 0) {
        return foreign(name + ": process " + pid + " on this host started at " + started.get()
            + ", not when that server did (" + claimed + "): another PID namespace?");
      }
    }
    return new PortOccupant(Kind.OURS, pid, runId, name + " (run id " + runId + ", " + server.getOrDefault("role", "unknown role")
        + ", up " + uptime + " s) in " + its.get());
  }

  private static PortOccupant foreign(String description) {
    return new PortOccupant(Kind.FOREIGN, 0, "", description);
  }

  private static Optional<Path> workingDirectory(long pid) {
    try {
      return realPath(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> realPath(Path p) {
    try {
      return Files.exists(p) ? Optional.of(p.toRealPath()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static long parseLong(String s) {
    try {
      return s == null ? -1 : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
