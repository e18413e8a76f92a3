package dev.redisha.endpoint.proxy;

import static dev.redisha.endpoint.proxy.TwoRedis.PASSWORD;
import static dev.redisha.endpoint.proxy.TwoRedis.masterIs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.testsupport.Await;
import dev.redisha.testsupport.ExpectedJedis;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Idle sockets must not pile up behind the proxy: each holds one of Redis' {@code maxclients}
 * slots (the proxy opens a backend connection per client). Real password-protected redis-server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisProxyClientTimeoutTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  @BeforeAll
  static void theExpectedJedisIsLoaded() {
    ExpectedJedis.isLoaded();
  }

  @TempDir Path dir;
  private TwoRedis redis;
  private RedisProxy proxy;
  private final List<AutoCloseable> cleanup = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    redis = new TwoRedis(dir);
  }

  @AfterEach
  void stop() {
    try {
      for (AutoCloseable c : cleanup) {
        try {
          c.close();
        } catch (Exception e) {
          // already broken by the test
        }
      }
      if (proxy != null) {
        proxy.close();
      }
    } finally {
      redis.close();
    }
  }

  @Test
  void aClientThatNeverAuthenticatesIsClosedAfterTheTimeoutWhileAnAuthenticatedOneStays() throws Exception {
    startProxy(options().withUnauthenticatedTimeout(TIMEOUT));
    Jedis authenticated = client();
    authenticated.auth(PASSWORD);
    assertEquals("PONG", authenticated.ping());
    // AUTH and SUBSCRIBE in one write: the proxy stops counting a subscriber's replies, yet must
    // see that it got in.
    Socket subscriber = rawClient();
    send(subscriber, "AUTH " + PASSWORD + "\r\nSUBSCRIBE news\r\n");
    assertEquals("+OK", readLine(subscriber).strip());
    Socket sneaky = rawClient();
    send(sneaky, "SUBSCRIBE news\r\n");
    assertTrue(readLine(sneaky).startsWith("-NOAUTH"), "a SUBSCRIBE before AUTH is refused");
    Socket silent = rawClient();
    Socket refused = rawClient();
    send(refused, "PING\r\n");
    assertTrue(readLine(refused).startsWith("-NOAUTH"), "Redis refuses it, the proxy relays that");
    Socket wrongPassword = rawClient();
    send(wrongPassword, "AUTH not-the-password\r\n");
    assertTrue(readLine(wrongPassword).startsWith("-"), "a wrong password is an error");

    long began = System.nanoTime();
    Await.until("the silent client to be closed", Duration.ofSeconds(5), () -> closedByServer(silent));
    long tookMs = (System.nanoTime() - began) / 1_000_000;
    assertTrue(tookMs < 3_000, "closed after " + tookMs + " ms, the timeout is " + TIMEOUT.toMillis());
    Await.until("the refused client to be closed", Duration.ofSeconds(5), () -> closedByServer(refused));
    Await.until("the client with the wrong password to be closed", Duration.ofSeconds(5),
        () -> closedByServer(wrongPassword));

    Await.until("the unauthenticated would-be subscriber to be closed", Duration.ofSeconds(5),
        () -> closedByServer(sneaky));

    // They connected before the others, so their own deadlines have passed too.
    assertFalse(closedByServer(subscriber), "an authenticated subscriber stays");
    assertEquals("PONG", authenticated.ping());
    assertEquals(redis.a.port(), Integer.parseInt(authenticated.configGet("port").get("port")));
  }

  @Test
  void withoutTheOptionAnUnauthenticatedClientIsLeftAlone() throws Exception {
    startProxy(options()); // what the agent runs when Redis has no password
    Socket silent = rawClient();
    long connected = System.nanoTime();
    Await.until("three timeouts' worth of time to pass", Duration.ofSeconds(5),
        () -> System.nanoTime() - connected > 3 * TIMEOUT.toNanos());
    assertFalse(closedByServer(silent), "kept, as before");
  }

  @Test
  void anIdleTimeoutClosesASilentConnectionButNotABusyOne() throws Exception {
    startProxy(options().withIdleTimeout(TIMEOUT));
    Jedis idle = client();
    idle.auth(PASSWORD);
    Jedis busy = client();
    busy.auth(PASSWORD);

    // The busy client talks every fifth of the timeout for three timeouts.
    long start = System.nanoTime();
    for (int i = 0; i < 15; i++) {
      long due = start + i * TIMEOUT.toNanos() / 5;
      Await.until("ping " + i + "'s time", Duration.ofSeconds(2), () -> System.nanoTime() >= due);
      assertEquals("PONG", busy.ping(), "a client that keeps talking is never idle");
    }
    boolean closed;
    try {
      idle.ping();
      closed = false;
    } catch (JedisConnectionException e) {
      closed = true;
    }
    assertTrue(closed, "silent for three timeouts, it was closed");
  }

  private ProxyOptions options() {
    return ProxyOptions.defaults(new HostPort("127.0.0.1", 0));
  }

  private void startProxy(ProxyOptions options) {
    proxy = RedisProxy.start(options, event -> { });
    proxy.update(masterIs(redis.a, 1));
  }

  private Jedis client() {
    HostPort hp = proxy.listenAddress();
    Jedis j = new Jedis(new HostAndPort(hp.host(), hp.port()),
        DefaultJedisClientConfig.builder().socketTimeoutMillis(5000).build());
    cleanup.add(j);
    return j;
  }

  private Socket rawClient() throws IOException {
    Socket s = new Socket();
    cleanup.add(s);
    HostPort hp = proxy.listenAddress();
    s.connect(new InetSocketAddress(hp.host(), hp.port()), 2_000);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  private static String readLine(Socket s) throws IOException {
    s.setSoTimeout(5_000);
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = s.getInputStream().read()) >= 0 && c != '\n') {
      line.append((char) c);
    }
    return line.toString();
  }

  private static boolean closedByServer(Socket s) {
    return closedByServer(s, 1);
  }

  private static boolean closedByServer(Socket s, int waitMs) {
    try {
      s.setSoTimeout(waitMs);
      byte[] buf = new byte[512];
      while (true) {
        if (s.getInputStream().read(buf) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }
}
