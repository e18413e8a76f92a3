package dev.redisha.endpoint.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.redisha.config.HostPort;
import dev.redisha.redis.FreePorts;
import dev.redisha.endpoint.MasterView;
import dev.redisha.endpoint.sentinel.RespClient.Err;
import dev.redisha.endpoint.sentinel.RespClient.Push;
import dev.redisha.endpoint.sentinel.RespClient.RMap;
import dev.redisha.endpoint.sentinel.RespClient.RSet;
import dev.redisha.endpoint.sentinel.RespClient.Status;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same commands sent to a real redis-sentinel (Debian's redis-server 7.0 in Sentinel mode,
 * monitoring a real master and replica) and to the endpoint describing the same two servers: the
 * replies must have the same RESP2/RESP3 types, the same fields in the same order, and the same
 * values wherever the value is not about time, identity or Sentinel's private probing.
 */
class RealSentinelComparisonTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Fields whose values depend on time, run ids or connection ids, compared by type only. */
  private static final Set<String> VARYING = Set.of("id", "version", "runid", "last-ok-ping-reply",
      "last-ping-reply", "info-refresh", "role-reported-time", "config-epoch", "slave-repl-offset",
      "master-link-down-time");

  @TempDir static Path dir;
  private static final List<Process> processes = new ArrayList<>();
  private static HostPort master;
  private static HostPort replica;
  private static HostPort realSentinel;
  private static SentinelEndpoint endpoint;

  @BeforeAll
  static void start() throws IOException {
    master = new HostPort("127.0.0.1", FreePorts.tcp());
    replica = new HostPort("127.0.0.1", FreePorts.tcp());
    realSentinel = new HostPort("127.0.0.1", FreePorts.tcp());
    launch("redis-server", "--port", Integer.toString(master.port()), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--dbfilename", "m.rdb");
    launch("redis-server", "--port", Integer.toString(replica.port()), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--dbfilename", "r.rdb",
        "--replicaof", master.host(), Integer.toString(master.port()));
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(conf, "port " + realSentinel.port() + "\nbind 127.0.0.1\ndir " + dir + "\n"
        + "sentinel monitor mymaster " + master.host() + " " + master.port() + " 1\n");
    launch("redis-server", conf.toString(), "--sentinel");
    // Sentinel reads a replica's INFO every 10 s: wait for the one that shows its link up.
    Await.until("the real sentinel lists the replica, linked", WAIT, () -> {
      try (RespClient c = new RespClient(realSentinel)) {
        return c.call("SENTINEL", "replicas", "mymaster") instanceof List<?> l && l.size() == 1
            && ((List<?>) l.get(0)).indexOf("ok") == ((List<?>) l.get(0)).indexOf("master-link-status") + 1;
      } catch (RuntimeException e) {
        return false;
      }
    });
    endpoint = SentinelEndpoint.start(new HostPort("127.0.0.1", 0), "mymaster", "node-a",
        Optional.empty(), List.of());
    endpoint.update(new MasterView(1, Optional.of("node-a"), Optional.of(master),
        List.of(replica), false));
  }

  private static void launch(String... command) throws IOException {
    processes.add(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out-" + processes.size() + ".log").toFile()).start());
  }

  @AfterAll
  static void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
    for (Process p : processes) {
      p.destroyForcibly();
    }
  }

  /** Sends the same commands on a fresh connection to each and compares every reply. */
  private static void compare(String[]... commands) {
    try (RespClient real = new RespClient(realSentinel);
        RespClient ours = new RespClient(endpoint.address())) {
      for (String[] command : commands) {
        Object expected = real.call(command);
        Object actual = ours.call(command);
        assertEquals(shape(expected, null), shape(actual, null),
            String.join(" ", command) + "\nreal: " + expected + "\nours: " + actual);
      }
    }
  }

  private static String[] cmd(String... args) {
    return args;
  }

  /** The reply with its types kept and varying values replaced by their type. */
  private static Object shape(Object reply, String field) {
    if (field != null && VARYING.contains(field)) {
      return reply == null ? "null" : reply.getClass().getSimpleName();
    }
    if (reply instanceof RMap m) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < m.flat().size(); i += 2) {
        out.add(m.flat().get(i));
        out.add(shape(m.flat().get(i + 1), String.valueOf(m.flat().get(i))));
      }
      return new RMap(out);
    }
    if (reply instanceof List<?> list) {
      // RESP2 maps are flat arrays of name, value.
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        Object previous = i % 2 == 1 ? list.get(i - 1) : null;
        out.add(shape(list.get(i), previous instanceof String s ? s : null));
      }
      return out;
    }
    if (reply instanceof Push p) {
      return new Push(p.items().stream().map(x -> shape(x, null)).toList());
    }
    if (reply instanceof RSet s) {
      return new RSet(s.items().stream().map(x -> shape(x, null)).toList());
    }
    return reply;
  }

  @Test
  void helloThreeAnswersTheSameMap() {
    compare(cmd("HELLO", "3"), cmd("HELLO", "3", "SETNAME", "app"), cmd("CLIENT", "GETNAME"));
    try (RespClient ours = new RespClient(endpoint.address())) {
      RMap hello = (RMap) ours.call("HELLO", "3");
      assertEquals(List.of("server", "version", "proto", "id", "mode", "modules"), hello.keys());
      assertEquals(3L, hello.get("proto"));
      assertEquals("sentinel", hello.get("mode"));
    }
  }

  @Test
  void helloTwoAndWrongVersionsAnswerTheSame() {
    compare(cmd("HELLO", "2"), cmd("HELLO", "4"), cmd("HELLO", "x"), cmd("HELLO", "3", "BLA"),
        cmd("HELLO"));
  }

  @Test
  void sentinelQueriesAnswerTheSameMapsInResp3() {
    compare(cmd("HELLO", "3"), cmd("SENTINEL", "masters"), cmd("SENTINEL", "master", "mymaster"),
        cmd("SENTINEL", "replicas", "mymaster"), cmd("SENTINEL", "sentinels", "mymaster"),
        cmd("SENTINEL", "get-master-addr-by-name", "mymaster"),
        cmd("SENTINEL", "get-master-addr-by-name", "nope"), cmd("SENTINEL", "master", "nope"),
        cmd("ROLE"), cmd("PING"));
    try (RespClient ours = new RespClient(endpoint.address())) {
      ours.call("HELLO", "3");
      List<?> masters = (List<?>) ours.call("SENTINEL", "masters");
      RMap m = assertInstanceOf(RMap.class, masters.get(0));
      assertEquals(String.valueOf(master.port()), m.get("port"));
      assertEquals(RespClient.NULL, ours.call("SENTINEL", "get-master-addr-by-name", "nope"));
    }
  }

  @Test
  void sentinelQueriesAnswerTheSameArraysInResp2() {
    compare(cmd("SENTINEL", "masters"), cmd("SENTINEL", "replicas", "mymaster"),
        cmd("SENTINEL", "get-master-addr-by-name", "nope"));
  }

  @Test
  void pubSubAnswersTheSamePushesInResp3() {
    compare(cmd("HELLO", "3"), cmd("SUBSCRIBE", "+switch-master"), cmd("PING"),
        cmd("PING", "x"), cmd("PSUBSCRIBE", "*"), cmd("UNSUBSCRIBE"), cmd("PUNSUBSCRIBE"),
        cmd("UNSUBSCRIBE"));
    try (RespClient ours = new RespClient(endpoint.address())) {
      ours.call("HELLO", "3");
      assertEquals(new Push(List.of("subscribe", "+switch-master", 1L)),
          ours.call("SUBSCRIBE", "+switch-master"));
      // RESP3 subscribers may run any command, as with redis-server.
      assertInstanceOf(List.class, ours.call("SENTINEL", "get-master-addr-by-name", "mymaster"));
      assertEquals(new Status("PONG"), ours.call("PING"));
    }
    try (RespClient ours = new RespClient(endpoint.address())) {
      ours.call("SUBSCRIBE", "+switch-master");
      Object refused = ours.call("SENTINEL", "masters");
      assertInstanceOf(Err.class, refused, "RESP2 subscribers may not");
    }
  }
}
