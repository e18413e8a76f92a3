package dev.redisha.endpoint.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.endpoint.MasterView;
import dev.redisha.endpoint.sentinel.RespClient.Err;
import dev.redisha.endpoint.sentinel.RespClient.Status;
import dev.redisha.testsupport.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Exact reply shapes and errors, checked with a raw RESP client. The endpoint never connects to
 * the Redis servers it names, so the views here use fixed loopback addresses.
 */
class SentinelProtocolTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HostPort A = new HostPort("127.0.0.1", 7001);
  private static final HostPort B = new HostPort("127.0.0.1", 7002);
  private static final Secret PASSWORD =
      new Secret("s3cret pass".getBytes(StandardCharsets.UTF_8), "test");
  private static final List<SentinelPeer> OTHERS = List.of(
      new SentinelPeer("node-b", new HostPort("127.0.0.1", 26380)),
      new SentinelPeer("node-c", new HostPort("127.0.0.1", 26381)));

  private SentinelEndpoint endpoint;
  private final List<RespClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    endpoint = SentinelEndpoint.start(new HostPort("127.0.0.1", 0), "mymaster", "node-a",
        Optional.of(PASSWORD), OTHERS);
    endpoint.update(JedisSentinelPoolTest.view(1, A, B));
  }

  @AfterEach
  void stop() {
    clients.forEach(RespClient::close);
    endpoint.close();
  }

  private RespClient connect() {
    RespClient client = new RespClient(endpoint.address());
    clients.add(client);
    return client;
  }

  private RespClient authenticated() {
    RespClient client = connect();
    assertEquals(new Status("OK"), client.call("AUTH", PASSWORD.text()));
    return client;
  }

  /**
   * What redis-py 8's Sentinel client sends on every connection (redis/connection.py on_connect
   * with protocol 3, a password and a client name): HELLO 3 with AUTH (and SETNAME where it is
   * given there), CLIENT SETINFO for its name and version, then SENTINEL MASTERS, whose entries
   * it reads as maps and accepts only when the flags say master and not s_down/o_down. redis-py
   * itself is not run here (PyPI is not reachable); these are its bytes.
   */
  @Test
  void redisPy8Resp3HandshakeFindsTheMaster() {
    for (boolean setnameInHello : List.of(false, true)) {
      RespClient c = connect();
      RespClient.RMap hello = setnameInHello
          ? (RespClient.RMap) c.call("HELLO", "3", "AUTH", "default", PASSWORD.text(), "SETNAME",
              "py-app")
          : (RespClient.RMap) c.call("HELLO", "3", "AUTH", "default", PASSWORD.text());
      // redis-py raises "Invalid RESP version" unless proto is the one it asked for.
      assertEquals(3L, hello.get("proto"));
      if (!setnameInHello) {
        assertEquals(new Status("OK"), c.call("CLIENT", "SETNAME", "py-app"));
      }
      assertEquals(new Status("OK"), c.call("CLIENT", "SETINFO", "LIB-NAME", "redis-py"));
      assertEquals(new Status("OK"), c.call("CLIENT", "SETINFO", "LIB-VER", "8.0.0"));
      assertEquals("py-app", c.call("CLIENT", "GETNAME"));
      List<?> masters = (List<?>) c.call("SENTINEL", "MASTERS");
      RespClient.RMap master = (RespClient.RMap) masters.get(0);
      assertEquals("mymaster", master.get("name"));
      assertEquals("127.0.0.1", master.get("ip"));
      assertEquals("7001", master.get("port"));
      assertEquals("master", master.get("flags"));
      List<?> replicas = (List<?>) c.call("SENTINEL", "SLAVES", "mymaster");
      assertEquals("7002", ((RespClient.RMap) replicas.get(0)).get("port"));
      assertEquals(List.of("127.0.0.1", "7001"),
          c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"));
      RespClient.Verbatim info = (RespClient.Verbatim) c.call("CLIENT", "INFO");
      assertTrue(info.text().contains(" resp=3"), info.text());
    }
  }

  @Test
  void commandsNeedAuthenticationFirst() {
    RespClient c = connect();
    assertEquals(new Err("NOAUTH Authentication required."), c.call("PING"));
    assertEquals(new Err("NOAUTH Authentication required."),
        c.call("SENTINEL", "get-master-addr-by-name", "mymaster"));
    assertEquals(new Err("WRONGPASS invalid username-password pair or user is disabled."),
        c.call("AUTH", "wrong"));
    assertEquals(new Err("WRONGPASS invalid username-password pair or user is disabled."),
        c.call("AUTH", "admin", PASSWORD.text()));
    assertEquals(2, endpoint.authFailures());
    assertEquals(new Status("OK"), c.call("AUTH", "default", PASSWORD.text()));
    assertEquals(new Status("PONG"), c.call("PING"));
    assertEquals("hello", c.call("PING", "hello"));
  }

  @Test
  void unknownCommandsAndArityAreReportedLikeRedis() {
    RespClient c = authenticated();
    assertEquals(new Err("ERR unknown command 'GET', with args beginning with: 'k' "),
        c.call("GET", "k"));
    assertEquals(new Err("ERR unknown command 'FLUSHALL', with args beginning with: "),
        c.call("FLUSHALL"));
    assertEquals(new Err("ERR wrong number of arguments for 'sentinel' command"),
        c.call("SENTINEL"));
    assertEquals(new Err("ERR wrong number of arguments for 'sentinel|master' command"),
        c.call("SENTINEL", "master"));
    assertEquals(new Err("ERR unknown subcommand 'bogus'. Try SENTINEL HELP."),
        c.call("SENTINEL", "bogus"));
    Object failover = c.call("SENTINEL", "failover", "mymaster");
    assertTrue(((Err) failover).text().startsWith("ERR SENTINEL FAILOVER is not supported"));
    assertEquals(new Err("ERR No such master with that name"), c.call("SENTINEL", "master", "x"));
    assertEquals(new Err("ERR No such master with that name"), c.call("SENTINEL", "replicas", "x"));
  }

  @Test
  void helloNegotiatesResp2AndCanAuthenticate() {
    RespClient c = connect();
    assertEquals(new Err("NOPROTO unsupported protocol version"), c.call("HELLO", "4"));
    assertEquals(new Err("NOPROTO unsupported protocol version"), c.call("HELLO", "1"));
    Object noAuth = c.call("HELLO", "3");
    assertTrue(((Err) noAuth).text().startsWith("NOAUTH HELLO must be called"), noAuth.toString());
    List<?> hello = (List<?>) c.call("HELLO", "2", "AUTH", "default", PASSWORD.text(),
        "SETNAME", "my-app");
    // Sentinel's HELLO, as redis-sentinel 7.0 answers it: no "role" field in Sentinel mode.
    assertEquals(12, hello.size());
    assertEquals(List.of("server", "redis", "version",
        SentinelEndpoint.REDIS_VERSION, "proto", 2L), hello.subList(0, 6));
    assertEquals(List.of("mode", "sentinel", "modules", List.of()), hello.subList(8, 12));
    assertEquals(hello.get(7), c.call("CLIENT", "ID"));
    assertEquals("my-app", c.call("CLIENT", "GETNAME"));
    assertEquals(new Status("OK"), c.call("CLIENT", "SETNAME", "other"));
    assertEquals("other", c.call("CLIENT", "GETNAME"));
    assertEquals(new Status("OK"), c.call("CLIENT", "SETINFO", "LIB-NAME", "jedis"));
    assertEquals(new Err("ERR Client names cannot contain spaces, newlines or special characters."),
        c.call("CLIENT", "SETNAME", "with space"));
  }

  @Test
  void sentinelQueriesDescribeMasterReplicasAndOtherSentinels() {
    RespClient c = authenticated();
    assertEquals(List.of("127.0.0.1", "7001"),
        c.call("SENTINEL", "get-master-addr-by-name", "mymaster"));
    assertSame(RespClient.NIL_ARRAY, c.call("SENTINEL", "get-master-addr-by-name", "other"));
    assertEquals(endpoint.runId(), c.call("SENTINEL", "myid"));
    assertEquals(40, endpoint.runId().length());
    assertEquals(SentinelEndpoint.runId("mymaster", "node-a"), endpoint.runId());

    List<?> masters = (List<?>) c.call("SENTINEL", "masters");
    assertEquals(1, masters.size());
    List<?> master = (List<?>) masters.get(0);
    List<?> single = (List<?>) c.call("SENTINEL", "master", "mymaster");
    assertEquals(master.subList(0, 10), single.subList(0, 10), "name, ip, port, runid, flags");
    assertField(master, "name", "mymaster");
    assertField(master, "ip", "127.0.0.1");
    assertField(master, "port", "7001");
    assertField(master, "flags", "master");
    assertField(master, "num-slaves", "1");
    assertField(master, "num-other-sentinels", "2");
    assertField(master, "quorum", "2");
    assertField(master, "config-epoch", "1");

    List<?> replicas = (List<?>) c.call("SENTINEL", "replicas", "mymaster");
    assertEquals(1, replicas.size());
    List<?> replica = (List<?>) replicas.get(0);
    assertField(replica, "name", "127.0.0.1:7002");
    assertField(replica, "ip", "127.0.0.1");
    assertField(replica, "port", "7002");
    assertField(replica, "flags", "slave");
    assertField(replica, "master-host", "127.0.0.1");
    assertField(replica, "master-port", "7001");
    assertField(replica, "master-link-status", "ok");
    assertEquals(1, ((List<?>) c.call("SENTINEL", "slaves", "mymaster")).size());

    List<?> sentinels = (List<?>) c.call("SENTINEL", "sentinels", "mymaster");
    assertEquals(2, sentinels.size());
    List<?> first = (List<?>) sentinels.get(0);
    assertField(first, "name", SentinelEndpoint.runId("mymaster", "node-b"));
    assertField(first, "runid", SentinelEndpoint.runId("mymaster", "node-b"));
    assertField(first, "port", "26380");
    assertField(first, "flags", "sentinel");

    assertEquals(List.of("sentinel", List.of("mymaster")), c.call("ROLE"));
    String info = (String) c.call("INFO");
    assertTrue(info.contains("# Server\r\n"), info);
    assertTrue(info.contains("redis_mode:sentinel\r\n"), info);
    assertTrue(info.contains("# Sentinel\r\nsentinel_masters:1\r\n"), info);
    assertTrue(info.contains(
        "master0:name=mymaster,status=ok,address=127.0.0.1:7001,slaves=1,sentinels=3\r\n"), info);
    String sentinelOnly = (String) c.call("INFO", "sentinel");
    assertTrue(sentinelOnly.startsWith("# Sentinel\r\n") && !sentinelOnly.contains("# Server"));
    assertEquals(13L, c.call("COMMAND", "COUNT"));
    assertEquals(13, ((List<?>) c.call("COMMAND")).size());
    assertEquals(List.of(), c.call("COMMAND", "DOCS"));
  }

  @Test
  void withoutAMasterTheLastAddressIsAnsweredAndTheMasterIsDown() {
    RespClient c = authenticated();
    endpoint.update(MasterView.none(2, List.of(A, B)));
    // A real Sentinel answers the last known master until a failover names a new one.
    assertEquals(List.of("127.0.0.1", "7001"),
        c.call("SENTINEL", "get-master-addr-by-name", "mymaster"));
    List<?> master = (List<?>) c.call("SENTINEL", "master", "mymaster");
    assertField(master, "flags", "s_down,o_down,master");
    assertField(master, "ip", "127.0.0.1");
    assertField(master, "port", "7001");
    List<?> replica = (List<?>) ((List<?>) c.call("SENTINEL", "replicas", "mymaster")).get(0);
    assertField(replica, "master-link-status", "err");
    assertField(replica, "master-host", "?");
    assertTrue(((String) c.call("INFO", "sentinel")).contains("status=odown,address=127.0.0.1:7001"));
  }

  @Test
  void subscribersGetSwitchMasterOnlyWhenTheAddressChanges() {
    RespClient c = authenticated();
    assertEquals(List.of("subscribe", "+switch-master", 1L),
        c.call("SUBSCRIBE", SentinelEndpoint.SWITCH_MASTER));
    assertEquals(List.of("psubscribe", "+switch-*", 2L), c.call("PSUBSCRIBE", "+switch-*"));
    assertEquals(List.of("psubscribe", "+sdown", 3L), c.call("PSUBSCRIBE", "+sdown"));
    assertEquals(List.of("pong", ""), c.call("PING"));
    Object refused = c.call("SENTINEL", "masters");
    assertTrue(((Err) refused).text().startsWith("ERR Can't execute 'sentinel'"), refused.toString());

    endpoint.update(JedisSentinelPoolTest.view(2, B, A));
    String failover = "mymaster 127.0.0.1 7001 127.0.0.1 7002";
    assertEquals(List.of("message", "+switch-master", failover), c.read());
    assertEquals(List.of("pmessage", "+switch-*", "+switch-master", failover), c.read());

    // Same master in a new epoch: no switch. Then no master: it is down, no switch either.
    endpoint.update(JedisSentinelPoolTest.view(3, B, A));
    endpoint.update(MasterView.none(4, List.of(A, B)));
    assertEquals(List.of("pmessage", "+sdown", "+sdown", "master mymaster 127.0.0.1 7002"),
        c.read());
    assertEquals(List.of("pong", "between"), c.call("PING", "between"));
    // The master comes back elsewhere: the old address is the last master announced.
    endpoint.update(JedisSentinelPoolTest.view(5, A, B));
    String failback = "mymaster 127.0.0.1 7002 127.0.0.1 7001";
    assertEquals(List.of("message", "+switch-master", failback), c.read());
    assertEquals(List.of("pmessage", "+switch-*", "+switch-master", failback), c.read());

    assertEquals(List.of("unsubscribe", "+switch-master", 2L), c.call("UNSUBSCRIBE"));
    c.send("PUNSUBSCRIBE");
    assertEquals(List.of("punsubscribe", "+switch-*", 1L), c.read());
    assertEquals(List.of("punsubscribe", "+sdown", 0L), c.read());
    assertEquals(new Status("PONG"), c.call("PING"));
  }

  @Test
  void inlineCommandsWork() {
    RespClient c = connect();
    c.sendRaw(("AUTH \"s3cret pass\"\r\nPING\r\n\r\nSENTINEL get-master-addr-by-name 'mymaster'\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(new Status("OK"), c.read());
    assertEquals(new Status("PONG"), c.read());
    assertEquals(List.of("127.0.0.1", "7001"), c.read());
  }

  @Test
  void garbageClosesThatConnectionOnlyAndIsCounted() {
    List<String> garbage = List.of(
        "*abc\r\n",
        "*1\r\n:5\r\n",
        "*1\r\n$999999999\r\n",
        "*1\r\n$4\r\nPINGxx",
        "*11\r\n",
        "*2\r\n$4\r\nAUTH\r\n$20000\r\n",
        "PING \"unbalanced\r\n");
    long expected = 0;
    for (String bytes : garbage) {
      RespClient c = connect();
      c.sendRaw(bytes.getBytes(StandardCharsets.ISO_8859_1));
      Object reply = c.read();
      assertTrue(reply instanceof Err e && e.text().startsWith("ERR Protocol error: "),
          bytes + " -> " + reply);
      assertTrue(c.closedByPeer(), "closed after " + bytes);
      expected++;
      assertEquals(expected, endpoint.protocolErrors());
    }

    RespClient tooLong = connect();
    byte[] line = new byte[RespDecoder.MAX_LINE + 10];
    java.util.Arrays.fill(line, (byte) 'x');
    tooLong.sendRaw(line);
    assertEquals(new Err("ERR Protocol error: too big inline request"), tooLong.read());
    assertTrue(tooLong.closedByPeer());

    // Random bytes: whatever they parse as, the endpoint must survive them.
    Random random = new Random(42);
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + random.nextInt(4096)];
      random.nextBytes(junk);
      junk[0] = (byte) "*$+-:\u0000x".charAt(i % 7);
      RespClient c = connect();
      c.sendRaw(junk);
      c.shutdownOutput();
      assertTrue(c.closedByPeer(), "closed after random input " + i);
    }

    RespClient next = authenticated();
    assertEquals(new Status("PONG"), next.call("PING"));
    assertEquals(List.of("127.0.0.1", "7001"),
        next.call("SENTINEL", "get-master-addr-by-name", "mymaster"));
    Await.until("the garbage connections are gone", WAIT, () -> endpoint.connectedClients() == 1);
  }

  @Test
  void aClientThatReadsSlowlyGetsEveryReplyAndDoesNotBlockOthers() throws InterruptedException {
    RespClient slow = authenticated();
    // About 8 MB of replies: more than the socket buffers and the output limit hold, so the
    // endpoint has to pause this connection and resume it as the client reads.
    int requests = 10_000;
    byte[] pipeline = "INFO\r\n".repeat(requests).getBytes(StandardCharsets.ISO_8859_1);
    Thread writer = new Thread(() -> slow.sendRaw(pipeline), "pipelining-client");
    writer.setDaemon(true);
    writer.start();
    try {
      RespClient other = authenticated();
      assertEquals(new Status("PONG"), other.call("PING"));
      for (int i = 0; i < requests; i++) {
        Object reply = slow.read();
        assertTrue(reply instanceof String s && s.contains("# Sentinel"), "reply " + i);
      }
      assertEquals(new Status("PONG"), slow.call("PING"));
    } finally {
      writer.join(WAIT.toMillis());
    }
  }

  @Test
  void quitClosesTheConnection() {
    RespClient c = connect();
    assertEquals(new Status("OK"), c.call("QUIT"));
    assertTrue(c.closedByPeer());
  }

  @Test
  void anEndpointWithoutPasswordNeedsNoAuth() {
    try (SentinelEndpoint open = SentinelEndpoint.start(new HostPort("127.0.0.1", 0), "g1", "n1",
        Optional.empty(), List.of())) {
      RespClient c = new RespClient(open.address());
      clients.add(c);
      assertSame(RespClient.NIL_ARRAY, c.call("SENTINEL", "get-master-addr-by-name", "g1"));
      open.update(JedisSentinelPoolTest.view(1, A, B));
      assertEquals(List.of("127.0.0.1", "7001"), c.call("SENTINEL", "get-master-addr-by-name", "g1"));
      Object auth = c.call("AUTH", "x");
      assertTrue(((Err) auth).text().startsWith("ERR AUTH <password> called without any password"));
      assertEquals(new Status("OK"), c.call("AUTH", "default", "anything"));
    }
  }

  private static void assertField(List<?> fieldsAndValues, String field, String value) {
    int at = fieldsAndValues.indexOf(field);
    assertTrue(at >= 0 && at % 2 == 0, field + " in " + fieldsAndValues);
    assertInstanceOf(String.class, fieldsAndValues.get(at + 1));
    assertEquals(value, fieldsAndValues.get(at + 1), field);
  }
}
