package dev.redisha.lab;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.redis.RedisConnector;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The client host of the network-namespace lab, run as its own process inside the client
 * namespace: {@code write HOST PORT ACKFILE STOPFILE MAX_WRITES MAX_MS} writes w:n keys through
 * the given address (the VIP) and appends every acknowledged n to ACKFILE; {@code verify HOST PORT
 * ACKFILE} prints how many acked keys are missing. The password comes from the environment
 * variable REDIS_HA_LAB_PASSWORD, never the command line.
 */
public final class LabClient {
  private LabClient() {}

  public static void main(String[] args) throws IOException {
    HostPort target = new HostPort(args[1], Integer.parseInt(args[2]));
    String pw = System.getenv("REDIS_HA_LAB_PASSWORD");
    RedisConnector connector = new RedisConnector(Optional.empty(),
        pw == null ? Optional.empty() : Optional.of(new Secret(pw.getBytes(StandardCharsets.UTF_8), "env")), Optional.empty());
    if (args[0].equals("write")) {
      write(connector, target, Path.of(args[3]), Path.of(args[4]), Integer.parseInt(args[5]), Long.parseLong(args[6]));
    } else {
      verify(connector, target, Path.of(args[3]));
    }
  }

  private static void write(RedisConnector connector, HostPort target, Path acks, Path stop, int max, long maxMs)
      throws IOException {
    long deadline = System.nanoTime() + maxMs * 1_000_000;
    int errors = 0;
    try (BufferedWriter out = Files.newBufferedWriter(acks, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      Jedis jedis = null;
      int n = 0;
      while (n < max && System.nanoTime() < deadline && !Files.exists(stop)) {
        try {
          if (jedis == null) {
            jedis = connector.connect(target, 300);
          }
          jedis.set("w:" + n, "v" + n);
          out.write(n + " " + System.currentTimeMillis() + "\n");
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

  private static void verify(RedisConnector connector, HostPort target, Path acks) throws IOException {
    List<String> lines = Files.readAllLines(acks);
    int missing = 0;
    try (Jedis j = connector.connect(target, 2000)) {
      for (String line : lines) {
        String n = line.split(" ")[0];
        if (!("v" + n).equals(j.get("w:" + n))) {
          missing++;
        }
      }
    }
    System.out.println("acked " + lines.size() + " missing " + missing);
  }
}
