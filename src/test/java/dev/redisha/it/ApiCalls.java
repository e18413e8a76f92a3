package dev.redisha.it;

import dev.redisha.config.ApiConfig;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** An operator's calls to an agent's HTTP API in tests, with a write token. */
final class ApiCalls {
  private ApiCalls() {}

  /** The node's config with {@code token} as its API write token. */
  static NodeConfig withToken(NodeConfig c, String token) {
    return new NodeConfig(c.source(), c.group(), c.nodeId(), c.priority(), c.redis(), c.peers(), c.coordination(),
        c.health(), c.persistence(), c.failover(), c.hooks(),
        new ApiConfig(c.api().listen(), Optional.of(new Secret(token.getBytes(StandardCharsets.UTF_8), "test"))),
        c.stateDir(), c.endpoints());
  }

  /** POSTs {@code path} with {@code token}; the HTTP status. */
  static int post(TestNode n, String path, String token) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.agent.apiPort() + path))
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(5)).build();
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
