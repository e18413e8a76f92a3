package dev.redisha.endpoint.proxy;

import static dev.redisha.endpoint.proxy.TwoRedis.PASSWORD;
import static dev.redisha.endpoint.proxy.TwoRedis.masterIs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.ExpectedJedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @BeforeAll
  static void theExpectedJedisIsLoaded() {
    ExpectedJedis.isLoaded();
  }

  @TempDir Path dir;
  private TwoRedis redis;
  private RedisProxy proxy;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> cleanup = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    redis = new TwoRedis(dir);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (AutoCloseable c : cleanup) {
        try {
          c.close();
        } catch (RuntimeException e) {
          // a client already broken by the test
        }
      }
      if (proxy != null) {
        proxy.close();
      }
    } finally {
      redis.close();
      events.forEach(e -> System.out.println("event: " + e));
    }
  }

  private RedisProxy startProxy(ProxyOptions options) {
    proxy = RedisProxy.start(options, events::add);
    return proxy;
  }

  private RedisProxy startProxy() {
    return startProxy(options());
  }

  /** The socket layer under test; subclasses run every test again on the other transports. */
  NetTransport transport() {
    return NetTransport.best();
  }

  private ProxyOptions options() {
    NetTransport t = transport();
    if (!t.isAvailable()) {
      System.out.println("SKIPPED " + getClass().getSimpleName() + ": the " + t.configName() + " transport is not available here");
    }
    Assumptions.assumeTrue(t.isAvailable(), t.configName() + " is not available on this machine");
    return ProxyOptions.defaults(new HostPort("127.0.0.1", 0)).withTransport(t);
  }

  /** A client of the proxy that has not sent anything yet (Jedis connects lazily). */
  private Jedis client(int timeoutMillis) {
    HostPort hp = proxy.listenAddress();
    Jedis j = new Jedis(new HostAndPort(hp.host(), hp.port()),
        DefaultJedisClientConfig.builder().socketTimeoutMillis(timeoutMillis).build());
    cleanup.add(j);
    return j;
  }

  private int tcpPortBehindProxy(Jedis j) {
    String info = j.info("server");
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("tcp_port:")) {
        return Integer.parseInt(line.substring("tcp_port:".length()).trim());
      }
    }
    throw new AssertionError("no tcp_port in INFO server");
  }

  @Test
  void clientsAuthenticateSelectAndWriteThroughTheProxy() {
    startProxy().update(masterIs(redis.a, 1));
    Jedis j = client(5000);
    j.auth(PASSWORD);
    j.select(1);
    assertEquals("OK", j.set("greeting", "hello"));
    assertEquals("hello", j.get("greeting"));
    assertEquals(redis.a.port(), tcpPortBehindProxy(j));
    try (Jedis direct = TwoRedis.direct(redis.a)) {
      direct.select(1);
      assertEquals("hello", direct.get("greeting"));
    }
  }

  @Test
  void tenThousandPipelinedWritesAreAllAcknowledgedAndStored() {
    startProxy().update(masterIs(redis.a, 1));
    Jedis j = client(10_000);
    j.auth(PASSWORD);
    Pipeline p = j.pipelined();
    for (int i = 0; i < 10_000; i++) {
      p.set("pipelined:" + i, Integer.toString(i));
    }
    List<Object> replies = p.syncAndReturnAll();
    assertEquals(10_000, replies.size());
    assertTrue(replies.stream().allMatch("OK"::equals), "every SET answered OK");
    try (Jedis direct = TwoRedis.direct(redis.a)) {
      Pipeline check = direct.pipelined();
      List<Response<String>> values = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        values.add(check.get("pipelined:" + i));
      }
      check.sync();
      for (int i = 0; i < 10_000; i++) {
        assertEquals(Integer.toString(i), values.get(i).get(), "pipelined:" + i);
      }
    }
  }

  @Test
  void aMasterChangeClosesClientConnectionsToTheOldMaster() {
    startProxy().update(masterIs(redis.a, 1));
    Jedis before = client(5000);
    before.auth(PASSWORD);
    assertEquals("OK", before.set("k", "v"));
    try (Jedis b = TwoRedis.direct(redis.b)) {
      b.replicaofNoOne();
    }

    proxy.update(masterIs(redis.b, 2));

    Await.until("the connection to A is closed", WAIT, () -> proxy.metrics().closedOnMasterChange() == 1);
    assertThrows(JedisConnectionException.class, () -> before.set("k", "after"));
    Jedis after = client(5000);
    after.auth(PASSWORD);
    assertEquals(redis.b.port(), tcpPortBehindProxy(after));
    assertEquals("master", TwoRedis.text(after.role().get(0)));
    assertEquals(1, proxy.metrics().connections());
  }

  @Test
  void aClientThatConnectsWithoutMasterIsServedOnceOneAppears() throws Exception {
    startProxy();
    // Jedis sends CLIENT SETINFO as it connects, so it waits for the proxy from the start.
    CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
      Jedis waiting = client(5000);
      waiting.auth(PASSWORD);
      return waiting.ping();
    });
    Await.until("the client is held", WAIT, () -> proxy.metrics().heldNow() == 1);

    proxy.update(masterIs(redis.a, 1));

    assertEquals("PONG", reply.get(5, TimeUnit.SECONDS));
    assertEquals(0, proxy.metrics().heldNow());
  }

  @Test
  void aClientWaitingLongerThanTheMasterWaitIsClosed() {
    startProxy(options().withMasterWait(Duration.ofMillis(200)));
    assertThrows(JedisConnectionException.class, () -> client(5000).ping());
    assertEquals(1, proxy.metrics().closedWithoutMaster());
    Await.until("the proxy forgets the connection", WAIT, () -> proxy.metrics().connections() == 0);
  }

  /**
   * DESIGN §3 rule 3: a planned switchover (hold, Redis FAILOVER, switchTo) returns no error to a
   * client writing all along, loses none of its acknowledged writes, and keeps its connection.
   */
  @Test
  void aPlannedSwitchoverReturnsNoErrorsAndKeepsTheClientsConnection() throws Exception {
    startProxy().update(masterIs(redis.a, 1));
    writeThroughPlannedSwitchover(new Writer(client(10_000), true));
  }

  /** The same with a RESP3 client that authenticates with HELLO: the move replays HELLO 3. */
  @Test
  void aPlannedSwitchoverMovesAResp3Client() throws Exception {
    startProxy().update(masterIs(redis.a, 1));
    HostPort hp = proxy.listenAddress();
    Jedis resp3 = new Jedis(new HostAndPort(hp.host(), hp.port()),
        DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).password(PASSWORD).database(1)
            .clientName("resp3-writer").socketTimeoutMillis(10_000).build());
    cleanup.add(resp3);
    writeThroughPlannedSwitchover(new Writer(resp3, false));
    assertEquals("resp3-writer", resp3.clientGetname());
    assertTrue(resp3.clientInfo().contains(" resp=3"), "still RESP3 on B");
  }

  private void writeThroughPlannedSwitchover(Writer writer) throws Exception {
    Thread thread = new Thread(writer, "writer");
    thread.start();
    cleanup.add(() -> {
      writer.stop.set(true);
      thread.join(10_000);
    });
    Await.until("the writer got going", WAIT, () -> writer.acked.size() >= 500 || writer.failed());

    assertTrue(proxy.hold(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS), "drained");
    failoverFromAToB();
    // By now the writer has long taken the last reply before the hold and sent its next write,
    // which the proxy holds: nothing was acknowledged since.
    int ackedWhileHeld = writer.acked.size();
    assertEquals(ackedWhileHeld, writer.writing, "the writer waits on its next write");
    SwitchOutcome outcome = proxy.switchTo(masterIs(redis.b, 2)).get(5, TimeUnit.SECONDS);
    assertEquals(new SwitchOutcome(1, Map.of()), outcome);

    Await.until("the writer goes on through B", WAIT,
        () -> writer.acked.size() >= ackedWhileHeld + 500 || writer.failed());
    writer.stop.set(true);
    thread.join(10_000);

    assertEquals(0, writer.errors.get(), "errors seen by the writer: " + writer.firstError);
    ProxyMetrics m = proxy.metrics();
    assertEquals(1, m.accepted(), "the writer never reconnected");
    assertEquals(1, m.connections());
    assertEquals(1, m.movedOnSwitchover());
    assertEquals(0, m.closedOnMasterChange());
    try (Jedis b = TwoRedis.direct(redis.b)) {
      b.select(1);
      Pipeline p = b.pipelined();
      List<Response<String>> values = new ArrayList<>();
      for (int i : writer.acked) {
        values.add(p.get("w:" + i));
      }
      p.sync();
      for (int n = 0; n < values.size(); n++) {
        assertEquals("v" + writer.acked.get(n), values.get(n).get(), "acknowledged write w:" + writer.acked.get(n));
      }
      assertEquals(writer.acked.size(), b.dbSize());
    }
  }

  /**
   * Redis' own coordinated failover: A pauses writes, B catches up, the roles swap. The timeout
   * is generous because the test machine may be busy; Redis aborts the failover past it.
   */
  private void failoverFromAToB() {
    try (Jedis a = TwoRedis.direct(redis.a)) {
      a.sendCommand(Protocol.Command.FAILOVER, "TO", redis.b.host(), Integer.toString(redis.b.port()),
          "TIMEOUT", "5000");
    }
    Await.until("A is a replica and B the master", Duration.ofSeconds(15),
        () -> TwoRedis.role(redis.a).equals("slave") && TwoRedis.role(redis.b).equals("master"));
  }

  @Test
  void aHoldLetsAnOpenTransactionFinishBeforeItStopsReading() throws Exception {
    startProxy().update(masterIs(redis.a, 1));
    Jedis j = client(5000);
    j.auth(PASSWORD);
    assertEquals("OK", TwoRedis.text(j.sendCommand(Protocol.Command.MULTI)));
    assertEquals("QUEUED", TwoRedis.text(j.sendCommand(Protocol.Command.SET, "tx", "1")));

    CompletableFuture<Boolean> drained = proxy.hold(Duration.ofSeconds(5));
    // The client is inside MULTI, so the proxy still reads it: EXEC gets through and is answered.
    List<?> exec = (List<?>) j.sendCommand(Protocol.Command.EXEC);
    assertEquals(1, exec.size());
    assertTrue(drained.get(5, TimeUnit.SECONDS), "drained once the transaction ended");
    CompletableFuture<String> after = CompletableFuture.supplyAsync(() -> j.get("tx"));
    try (Jedis a = TwoRedis.direct(redis.a)) {
      assertEquals("1", a.get("tx"));
    }
    assertFalse(after.isDone(), "a command after the transaction waits for the hold to end");
    Await.until("B has replicated the transaction", WAIT, () -> {
      try (Jedis b = TwoRedis.direct(redis.b)) {
        return "1".equals(b.get("tx"));
      }
    });

    SwitchOutcome outcome = proxy.switchTo(masterIs(redis.b, 2)).get(5, TimeUnit.SECONDS);

    assertEquals(1, outcome.moved());
    assertEquals("1", after.get(5, TimeUnit.SECONDS), "answered by B, which replicated the transaction");
    assertEquals(redis.b.port(), tcpPortBehindProxy(j));
  }

  @Test
  void aSwitchoverClosesSubscribersAndBlockedClientsAndMovesEveryoneElse() throws Exception {
    startProxy().update(masterIs(redis.a, 1));
    Jedis plain = client(5000);
    plain.auth(PASSWORD);
    plain.clientSetname("plain-client");
    assertEquals("OK", plain.set("before", "1"));
    Jedis subscriber = client(0);
    subscriber.auth(PASSWORD);
    AtomicBoolean subscribed = new AtomicBoolean();
    CompletableFuture<Throwable> subscriberEnd = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        subscriber.subscribe(new JedisPubSub() {
          @Override
          public void onSubscribe(String channel, int count) {
            subscribed.set(true);
          }
        }, "news");
        subscriberEnd.complete(null);
      } catch (RuntimeException e) {
        subscriberEnd.complete(e);
      }
    }, "subscriber");
    t.setDaemon(true);
    t.start();
    Await.until("subscribed", WAIT, subscribed::get);
    Jedis blocked = client(0);
    blocked.auth(PASSWORD);
    CompletableFuture<Object> blpop = CompletableFuture.supplyAsync(() -> blocked.blpop(0, "empty-list"));
    Await.until("BLPOP is blocked on A", WAIT, () -> blockedClients(redis.a) == 1);

    assertTrue(proxy.hold(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS));
    try (Jedis b = TwoRedis.direct(redis.b)) {
      b.replicaofNoOne();
    }
    SwitchOutcome outcome = proxy.switchTo(masterIs(redis.b, 2)).get(5, TimeUnit.SECONDS);

    assertEquals(1, outcome.moved());
    assertEquals(Map.of("subscribed, monitoring or replicating", 1, "was blocked in a blocking command", 1),
        outcome.closed());
    assertTrue(subscriberEnd.get(5, TimeUnit.SECONDS) instanceof JedisConnectionException);
    ExecutionException blpopError = assertThrows(ExecutionException.class, () -> blpop.get(5, TimeUnit.SECONDS));
    assertTrue(blpopError.getCause() instanceof JedisConnectionException, blpopError.getCause().toString());
    assertEquals(redis.b.port(), tcpPortBehindProxy(plain));
    assertEquals("plain-client", plain.clientGetname(), "the name was replayed on B");
    assertEquals(1, proxy.metrics().movedOnSwitchover());
    assertEquals(2, proxy.metrics().closedOnMasterChange());
  }

  private static int blockedClients(HostPort hp) {
    try (Jedis j = TwoRedis.direct(hp)) {
      for (String line : j.info("clients").split("\r?\n")) {
        if (line.startsWith("blocked_clients:")) {
          return Integer.parseInt(line.substring("blocked_clients:".length()).trim());
        }
      }
      return -1;
    }
  }

  @Test
  void aReleasedHoldResumesOnTheSameMaster() throws Exception {
    startProxy().update(masterIs(redis.a, 1));
    Jedis j = client(5000);
    j.auth(PASSWORD);
    assertEquals("OK", j.set("k", "1"));
    assertTrue(proxy.hold(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS));
    CompletableFuture<Long> incr = CompletableFuture.supplyAsync(() -> j.incr("counter"));
    Await.until("the command is held", WAIT, () -> proxy.metrics().heldNow() == 1);
    assertFalse(incr.isDone(), "no reply while held");

    proxy.release();

    assertEquals(1L, incr.get(5, TimeUnit.SECONDS));
    assertEquals(redis.a.port(), tcpPortBehindProxy(j));
    assertEquals(0, proxy.metrics().heldNow());
  }

  /** Writes w:i = vi in db 1 through the proxy, one command at a time, logging every ack. */
  private static final class Writer implements Runnable {
    final Jedis jedis;
    final boolean authAndSelect;
    final List<Integer> acked = new CopyOnWriteArrayList<>();
    final AtomicInteger errors = new AtomicInteger();
    final AtomicBoolean stop = new AtomicBoolean();
    volatile Throwable firstError;
    /** The number of the write being sent or waited for. */
    volatile int writing = -1;

    /** @param authAndSelect send AUTH and SELECT 1 first (else the client config did) */
    Writer(Jedis jedis, boolean authAndSelect) {
      this.jedis = jedis;
      this.authAndSelect = authAndSelect;
    }

    boolean failed() {
      return errors.get() > 0;
    }

    @Override
    public void run() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      try {
        if (authAndSelect) {
          jedis.auth(PASSWORD);
          jedis.select(1);
        }
        for (int i = 0; i < 1_000_000 && !stop.get() && System.nanoTime() < deadline; i++) {
          writing = i;
          if ("OK".equals(jedis.set("w:" + i, "v" + i))) {
            acked.add(i);
          }
        }
      } catch (RuntimeException e) {
        firstError = e;
        errors.incrementAndGet();
      }
    }
  }
}
