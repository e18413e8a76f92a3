package dev.redisha.endpoint.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Idle sockets, however many, never keep clients from discovering the master. */
class IdleConnectionsTest {
  private static final Secret PASSWORD =
      new Secret("idle-test-pass".getBytes(StandardCharsets.UTF_8), "test");
  private static final HostPort A = new HostPort("127.0.0.1", 7001);
  private static final HostPort B = new HostPort("127.0.0.1", 7002);
  private final List<Socket> idle = new ArrayList<>();
  private final List<RespClient> clients = new ArrayList<>();
  private SentinelEndpoint endpoint;

  @AfterEach
  void stop() {
    for (Socket s : idle) {
      try {
        s.close();
      } catch (IOException e) {
        // closing test sockets
      }
    }
    clients.forEach(RespClient::close);
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private void start(long idleTimeoutMs) {
    endpoint = SentinelEndpoint.start(new HostPort("127.0.0.1", 0), "mymaster", "node-a",
        Optional.of(PASSWORD), List.of(), idleTimeoutMs, Map::of);
    endpoint.update(JedisSentinelPoolTest.view(1, A, B));
  }

  private RespClient client() {
    RespClient c = new RespClient(endpoint.address());
    clients.add(c);
    return c;
  }

  @Test
  void thousandIdleConnectionsDoNotLockOutDiscovery() throws IOException {
    // A timeout far beyond the test: only the limit's handling is at work here.
    start(600_000);
    RespClient subscriber = client();
    subscriber.call("AUTH", PASSWORD.text());
    subscriber.call("SUBSCRIBE", "+switch-master");
    for (int i = 0; i < 1000; i++) {
      idle.add(new Socket(endpoint.address().host(), endpoint.address().port()));
    }
    Await.until("the endpoint holds the idle connections", Duration.ofSeconds(10),
        () -> endpoint.connectedClients() == SentinelEndpoint.MAX_CLIENTS);
    for (int i = 0; i < 5; i++) {
      long started = System.nanoTime();
      RespClient c = client();
      assertEquals("OK", ((RespClient.Status) c.call("AUTH", PASSWORD.text())).text());
      assertEquals(List.of("127.0.0.1", "7001"),
          c.call("SENTINEL", "get-master-addr-by-name", "mymaster"));
      long ms = (System.nanoTime() - started) / 1_000_000;
      assertTrue(ms < 1000, "discovery took " + ms + " ms behind 1,000 idle connections");
    }
    // The subscriber was never taken for idle: it still gets its answers.
    assertEquals(List.of("pong", "still"), subscriber.call("PING", "still"));
    assertTrue(endpoint.idleClosed() >= 5, "idle connections replaced: " + endpoint.idleClosed());
  }

  @Test
  void silentUnsubscribedConnectionsAreClosedAfterTheIdleTimeout() {
    start(300);
    RespClient silent = client();
    RespClient subscriber = client();
    subscriber.call("AUTH", PASSWORD.text());
    subscriber.call("SUBSCRIBE", "+switch-master");
    long started = System.nanoTime();
    assertTrue(silent.closedByPeer(), "the silent connection was not closed");
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertTrue(ms < 3000, "closed after " + ms + " ms, the timeout is 300 ms");
    assertEquals(List.of("pong", ""), subscriber.call("PING"));
    assertEquals(1, endpoint.idleClosed());
  }
}
