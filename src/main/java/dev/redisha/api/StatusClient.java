package dev.redisha.api;

import dev.redisha.config.HostPort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks agents for {@code GET /status}, for {@code redis-ha status}. Every failure becomes a
 * {@link StatusResult} with a reason, so one dead agent costs its row, not the whole table.
 */
public final class StatusClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
  // The request timeout ends when the headers arrive; this bounds the body as well.
  private static final Duration WHOLE_FETCH = CONNECT_TIMEOUT.plus(READ_TIMEOUT);

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(CONNECT_TIMEOUT)
          // The JDK server speaks HTTP/1.1 only; skipping the h2c upgrade saves a round trip.
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  /** The status of the agent whose API listens on {@code agent}. */
  public StatusResult fetch(HostPort agent) {
    return fetchAsync(agent).join();
  }

  /** The status of each agent, asked all at once so the wait is one timeout, not one each. */
  public List<StatusResult> fetchAll(List<HostPort> agents) {
    List<CompletableFuture<StatusResult>> pending = agents.stream().map(this::fetchAsync).toList();
    return pending.stream().map(CompletableFuture::join).toList();
  }

  private CompletableFuture<StatusResult> fetchAsync(HostPort agent) {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(statusUri(agent))
              .timeout(READ_TIMEOUT)
              .header("Accept", "application/json")
              .GET()
              .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          StatusResult.unreachable(agent, "bad address: " + e.getMessage()));
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .orTimeout(WHOLE_FETCH.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, error) -> error == null ? parse(agent, response) : failed(agent, error));
  }

  private static URI statusUri(HostPort agent) {
    String host = agent.host();
    // An IPv6 literal needs brackets in a URI.
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + agent.port() + "/status");
  }

  private static StatusResult parse(HostPort agent, HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      return StatusResult.unreachable(
          agent, "HTTP " + response.statusCode() + errorOf(response.body()));
    }
    try {
      return StatusResult.reached(agent, StatusJson.readStatus(response.body()));
    } catch (IOException e) {
      return StatusResult.unreachable(agent, "not a redis-ha status: " + firstLine(e.getMessage()));
    }
  }

  private static String errorOf(byte[] body) {
    try {
      String error = StatusJson.readTree(body).path("error").asText("");
      return error.isEmpty() ? "" : ": " + error;
    } catch (IOException e) {
      return "";
    }
  }

  private static StatusResult failed(HostPort agent, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String reason;
    if (cause instanceof HttpConnectTimeoutException) {
      reason = "no connection within " + CONNECT_TIMEOUT.toMillis() + " ms";
    } else if (cause instanceof HttpTimeoutException) {
      reason = "no answer within " + READ_TIMEOUT.toMillis() + " ms";
    } else if (cause instanceof TimeoutException) {
      reason = "answer incomplete after " + WHOLE_FETCH.toMillis() + " ms";
    } else if (cause instanceof ConnectException) {
      // The JDK client often leaves the message empty for a refused connection.
      reason = cause.getMessage() == null ? "connection refused" : cause.getMessage();
    } else {
      reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
    return StatusResult.unreachable(agent, firstLine(reason));
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }
}
