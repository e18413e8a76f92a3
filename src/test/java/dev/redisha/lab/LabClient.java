package dev.redisha.lab;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.redis.RedisConnector;
import dev.redisha.testsupport.SentinelRoute;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The client host of the network-namespace lab, run as its own process inside the client
 * namespace.
 *
 * <ul>
 *   <li>{@code write ROUTE ACKFILE STOPFILE MAX_WRITES MAX_MS PREFIX} writes PREFIX:n keys and
 *       appends every acknowledged n, with its wall-clock time and the run id of the Redis that
 *       acknowledged it ("n millis runid"), to ACKFILE. ROUTE is a fixed
 *       address ({@code host:port}: the VIP or a proxy endpoint) or {@code
 *       sentinel=host:port,host:port} (ask the Sentinel endpoints for the master, as a Sentinel
 *       client does).
 *   <li>{@code verify HOST:PORT ACKFILE PREFIX} prints how many acked keys are missing, and which
 *       (the first 1000).
 * </ul>
 *
 * The password comes from the environment variable REDIS_HA_LAB_PASSWORD, never the command line.
 */
public final class LabClient {
  private LabClient() {}

  public static void main(String[] args) throws IOException {
    String pw = System.getenv("REDIS_HA_LAB_PASSWORD");
    RedisConnector connector = new RedisConnector(Optional.empty(),
        pw == null ? Optional.empty() : Optional.of(new Secret(pw.getBytes(StandardCharsets.UTF_8), "env")), Optional.empty());
    if (args[0].equals("write")) {
      write(connector, route(args[1]), Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]),
          Long.parseLong(args[5]), args[6]);
    } else {
      verify(connector, HostPort.parse(args[1]), Path.of(args[2]), args[3]);
    }
  }

  private static Supplier<Optional<HostPort>> route(String spec) {
    if (spec.startsWith("sentinel=")) {
      List<HostPort> sentinels = Arrays.stream(spec.substring("sentinel=".length()).split(","))
          .map(HostPort::parse).toList();
      return new SentinelRoute(sentinels, "mymaster", 300)::master;
    }
    Optional<HostPort> fixed = Optional.of(HostPort.parse(spec));
    return () -> fixed;
  }

  private static void write(RedisConnector connector, Supplier<Optional<HostPort>> route, Path acks, Path stop,
      int max, long maxMs, String prefix) throws IOException {
    long deadline = System.nanoTime() + maxMs * 1_000_000;
    int errors = 0;
    try (BufferedWriter out = Files.newBufferedWriter(acks, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      Jedis jedis = null;
      HostPort connectedTo = null;
      String server = "";
      int n = 0;
      while (n < max && System.nanoTime() < deadline && !Files.exists(stop)) {
        try {
          Optional<HostPort> target = route.get();
          if (target.isEmpty()) {
            throw new JedisException("no master known");
          }
          if (jedis != null && !target.get().equals(connectedTo)) {
            jedis.close();
            jedis = null;
          }
          if (jedis == null) {
            jedis = connector.connect(target.get(), 300);
            connectedTo = target.get();
            server = runId(jedis.info("server"));
          }
          jedis.set(prefix + ":" + n, "v" + n);
          out.write(n + " " + System.currentTimeMillis() + " " + server + "\n");
          if (n % 50 == 0) {
            out.flush();
          }
          n++;
        } catch (JedisException e) {
          errors++;
          if (jedis != null) {
            jedis.close();
          }
          jedis = null;
          LockSupport.parkNanos(5_000_000);
        }
      }
      out.flush();
      if (jedis != null) {
        jedis.close();
      }
    }
    System.out.println("written " + Files.readAllLines(acks).size() + " errors " + errors);
  }

  private static String runId(String info) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("run_id:")) {
        return line.substring("run_id:".length()).strip();
      }
    }
    return "?";
  }

  private static void verify(RedisConnector connector, HostPort target, Path acks, String prefix) throws IOException {
    List<String> lines = Files.readAllLines(acks);
    int missing = 0;
    StringBuilder ids = new StringBuilder();
    try (Jedis j = connector.connect(target, 2000)) {
      for (String line : lines) {
        String n = line.split(" ")[0];
        if (!("v" + n).equals(j.get(prefix + ":" + n))) {
          missing++;
          if (missing <= 1000) {
            ids.append(ids.length() == 0 ? "" : ",").append(n);
          }
        }
      }
    }
    System.out.println("acked " + lines.size() + " missing " + missing + (missing == 0 ? "" : " ids " + ids));
  }
}
