package dev.redisha.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StatusClientTest {
  private final StatusClient client = new StatusClient();
  private ApiServer server;
  private HostPort agent;

  @BeforeEach
  void startServer() throws Exception {
    server =
        ApiServer.start(
            new HostPort("127.0.0.1", 0),
            StatusSamples::master,
            List::of,
            Optional.empty(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            new RefusingOperations());
    agent = new HostPort("127.0.0.1", server.port());
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void statusSurvivesTheRoundTrip() {
    StatusResult result = client.fetch(agent);

    assertTrue(result.reachable(), result.failure());
    assertEquals(StatusSamples.master(), result.status().orElseThrow());
  }

  @Test
  void agentNotListeningIsUnreachableWithAReason() throws Exception {
    HostPort nobody;
    try (ServerSocket socket = new ServerSocket(0)) {
      nobody = new HostPort("127.0.0.1", socket.getLocalPort());
    }

    StatusResult result = client.fetch(nobody);

    assertFalse(result.reachable());
    assertFalse(result.failure().isBlank());
  }

  @Test
  void agentThatNeverAnswersIsUnreachableAfterTheReadTimeout() throws Exception {
    // The kernel completes the connection from the backlog; nothing ever reads or answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      HostPort mute = new HostPort("127.0.0.1", silent.getLocalPort());

      StatusResult result = client.fetch(mute);

      assertFalse(result.reachable());
      assertEquals("no answer within 1000 ms", result.failure());
    }
  }

  @Test
  void fetchAllKeepsTheOrderAskedAndReportsEachAgent() throws Exception {
    HostPort nobody;
    try (ServerSocket socket = new ServerSocket(0)) {
      nobody = new HostPort("127.0.0.1", socket.getLocalPort());
    }

    List<StatusResult> results = client.fetchAll(List.of(nobody, agent));

    assertEquals(List.of(nobody, agent), results.stream().map(StatusResult::agent).toList());
    assertFalse(results.get(0).reachable());
    assertTrue(results.get(1).reachable(), results.get(1).failure());
  }

  @Test
  void statusAndHistoryOverHttpsWithTheReadToken(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.redisha.testsupport.TestCertificates.opensslPresent(),
        "openssl is needed to make the test certificates");
    dev.redisha.config.TlsConfig files = dev.redisha.testsupport.TestCertificates.forLoopback(dir);
    dev.redisha.config.Secret readToken = new dev.redisha.config.Secret(
        "read-token-for-the-cli\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "test");
    ApiServer https = ApiServer.start(new HostPort("127.0.0.1", 0),
        new ApiServer.Sources(StatusSamples::master, List::of, () -> TransitionHistory.of(List.of()),
            () -> "", new RefusingOperations()),
        new ApiServer.Settings(Optional.empty(), Optional.of(readToken),
            Optional.of(new dev.redisha.config.ApiTlsConfig(files.certFile().get(), files.keyFile().get(),
                Optional.of(files.caFile()))),
            ApiServer.DEFAULT_READINESS_LAG_BYTES, ApiServer.DEFAULT_LIVENESS_TIMEOUT, ClusterView.Layout.EMPTY,
            ApiServer.Limits.defaults()));
    try {
      HostPort secured = new HostPort("127.0.0.1", https.port());
      javax.net.ssl.SSLContext trust = dev.redisha.config.PemFiles.trusting(files.caFile());
      StatusClient withToken = new StatusClient(new AgentAccess("https", Optional.of(trust), Optional.of(readToken)));
      StatusClient withoutToken = new StatusClient(new AgentAccess("https", Optional.of(trust), Optional.empty()));

      StatusResult result = withToken.fetch(secured);
      StatusClient.Fetched history = withToken.fetchJson(secured, "/history").join();
      StatusResult refused = withoutToken.fetch(secured);

      assertTrue(result.reachable(), result.failure());
      assertEquals(StatusSamples.master(), result.status().orElseThrow());
      assertTrue(history.body().isPresent(), history.failure());
      assertFalse(refused.reachable());
      assertTrue(refused.failure().startsWith("HTTP 401"), refused.failure());
      assertFalse(client.fetch(secured).reachable(), "plain HTTP gets no status from an HTTPS API");
    } finally {
      https.close();
    }
  }
}
