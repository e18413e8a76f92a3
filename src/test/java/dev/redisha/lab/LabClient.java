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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
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
 *       client does). Optional, for long runs: {@code PER_SECOND} (at most that many writes a
 *       second; 0: as fast as it can), {@code PAD_BYTES} (each write is an MSET that also rewrites
 *       PREFIX-pad:(n mod 1024) with that many bytes: replication volume without memory growth)
 *       and {@code ERRFILE} (every failed attempt as "millis kind message"); for failback runs also
 *       {@code CONNFILE} (every connect attempt as "startMillis durationMs outcome") and {@code
 *       TIMEOUT_MS} (connect and read timeout; 300 by default; a longer one shows a dropped SYN
 *       as a slow connect, retransmitted after 1 s, instead of a connect timeout).
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
      int perSecond = args.length > 7 ? Integer.parseInt(args[7]) : 0;
      int padBytes = args.length > 8 ? Integer.parseInt(args[8]) : 0;
      Optional<Path> errorLog = args.length > 9 ? Optional.of(Path.of(args[9])) : Optional.empty();
      Optional<Path> connectLog = args.length > 10 ? Optional.of(Path.of(args[10])) : Optional.empty();
      int timeoutMs = args.length > 11 ? Integer.parseInt(args[11]) : 300;
      write(connector, route(args[1]), Path.of(args[2]), Path.of(args[3]), Long.parseLong(args[4]),
          Long.parseLong(args[5]), args[6], new Pace(perSecond, padBytes, errorLog, connectLog, timeoutMs));
    } else {
      verify(connector, HostPort.parse(args[1]), Path.of(args[2]), args[3]);
    }
  }

  private static Route route(String spec) {
    if (spec.startsWith("sentinel=")) {
      List<HostPort> sentinels = Arrays.stream(spec.substring("sentinel=".length()).split(","))
          .map(HostPort::parse).toList();
      SentinelRoute sentinel = new SentinelRoute(sentinels, "mymaster", 300);
      return new Route(sentinel::master, sentinel::lastLookup);
    }
    Optional<HostPort> fixed = Optional.of(HostPort.parse(spec));
    return new Route(() -> fixed, () -> "");
  }

  /** Where to write, and for the connect log how the last lookup went (Sentinel endpoints only). */
  private record Route(Supplier<Optional<HostPort>> master, Supplier<String> lastLookup) {}

  /** How a run writes: a rate limit, padding, where failed attempts and connects are logged, timeouts. */
  private record Pace(int perSecond, int padBytes, Optional<Path> errorLog, Optional<Path> connectLog, int timeoutMs) {}

  private static void write(RedisConnector connector, Route route, Path acks, Path stop,
      long max, long maxMs, String prefix, Pace pace) throws IOException {
    long deadline = System.nanoTime() + maxMs * 1_000_000;
    long interval = pace.perSecond() > 0 ? 1_000_000_000L / pace.perSecond() : 0;
    String pad = "x".repeat(pace.padBytes());
    long nextAt = System.nanoTime();
    int errors = 0;
    try (BufferedWriter out = Files.newBufferedWriter(acks, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        BufferedWriter errorOut = pace.errorLog().isPresent()
            ? Files.newBufferedWriter(pace.errorLog().get(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)
            : null;
        BufferedWriter connectOut = pace.connectLog().isPresent()
            ? Files.newBufferedWriter(pace.connectLog().get(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)
            : null) {
      Jedis jedis = null;
      HostPort connectedTo = null;
      String server = "";
      long n = 0;
      while (n < max && System.nanoTime() < deadline && !Files.exists(stop)) {
        if (interval > 0) {
          LockSupport.parkNanos(nextAt - System.nanoTime());
          // After a stall the pace resumes from now: no burst to make up for the lost writes.
          nextAt = Math.max(nextAt + interval, System.nanoTime());
        }
        try {
          Optional<HostPort> target = route.master().get();
          if (target.isEmpty()) {
            throw new JedisException("no master known");
          }
          if (jedis != null && !target.get().equals(connectedTo)) {
            closeQuietly(jedis);
            jedis = null;
          }
          if (jedis == null) {
            long connectStart = System.currentTimeMillis();
            long t0 = System.nanoTime();
            try {
              jedis = connector.connect(target.get(), pace.timeoutMs());
            } finally {
              if (connectOut != null) {
                String lookup = route.lastLookup().get();
                connectOut.write(connectStart + " " + (System.nanoTime() - t0) / 1_000_000 + " "
                    + (jedis == null ? "failed" : "ok") + (lookup.isEmpty() ? "" : " lookup: " + lookup) + "\n");
                connectOut.flush();
              }
            }
            connectedTo = target.get();
            server = "";
          }
          if (server.isEmpty()) {
            // Which server acks is asked in the same round trip as the first write on a connection:
            // asked before it, the question counted in the outage (no application asks it); asked
            // after it, a connection that broke in between left an ack nobody could attribute.
            server = writeAndAskWho(jedis, prefix, n, pad);
          } else {
            writeOne(jedis, prefix, n, pad);
          }
          long ackedAt = System.currentTimeMillis();
          out.write(n + " " + ackedAt + " " + server + "\n");
          if (n % 50 == 0) {
            out.flush();
          }
          n++;
        } catch (JedisException e) {
          errors++;
          if (errorOut != null) {
            String m = String.valueOf(e.getMessage());
            String kind = m.startsWith("READONLY") ? "READONLY" : m.equals("no master known") ? "no-master" : e.getClass().getSimpleName();
            errorOut.write(System.currentTimeMillis() + " " + kind + " " + m.replaceAll("\\s+", " ") + "\n");
            errorOut.flush();
          }
          closeQuietly(jedis);
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

  /**
   * Closing a connection the server already dropped can throw (Jedis flushes on close: broken
   * pipe); the writer must go on retrying, not die with the measurement.
   */
  private static void closeQuietly(redis.clients.jedis.Jedis jedis) {
    if (jedis == null) {
      return;
    }
    try {
      jedis.close();
    } catch (RuntimeException ignored) {
      // already broken
    }
  }

  private static void writeOne(redis.clients.jedis.commands.StringCommands c, String prefix, long n, String pad) {
    if (pad.isEmpty()) {
      c.set(prefix + ":" + n, "v" + n);
    } else {
      c.mset(prefix + ":" + n, "v" + n, prefix + "-pad:" + (n % 1024), pad);
    }
  }

  /** The write and INFO server pipelined; the run id of the server that acked it (an error reply throws). */
  private static String writeAndAskWho(Jedis jedis, String prefix, long n, String pad) {
    try (Pipeline p = jedis.pipelined()) {
      Response<?> written = pad.isEmpty() ? p.set(prefix + ":" + n, "v" + n)
          : p.mset(prefix + ":" + n, "v" + n, prefix + "-pad:" + (n % 1024), pad);
      Response<Object> info = p.sendCommand(redis.clients.jedis.Protocol.Command.INFO, "server");
      p.sync();
      written.get();
      return runId(redis.clients.jedis.util.SafeEncoder.encode((byte[]) info.get()));
    }
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
      // Pipelined in batches: a long run acks millions of writes, too many to read one round trip each.
      for (int from = 0; from < lines.size(); from += 1000) {
        List<String> batch = lines.subList(from, Math.min(lines.size(), from + 1000));
        List<Response<String>> values = new ArrayList<>();
        try (Pipeline p = j.pipelined()) {
          for (String line : batch) {
            values.add(p.get(prefix + ":" + line.split(" ")[0]));
          }
          p.sync();
        }
        for (int i = 0; i < batch.size(); i++) {
          String n = batch.get(i).split(" ")[0];
          if (!("v" + n).equals(values.get(i).get())) {
            missing++;
            if (missing <= 1000) {
              ids.append(ids.length() == 0 ? "" : ",").append(n);
            }
          }
        }
      }
    }
    System.out.println("acked " + lines.size() + " missing " + missing + (missing == 0 ? "" : " ids " + ids));
  }
}
