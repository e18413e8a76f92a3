package dev.redisha.api;

import dev.redisha.config.HostPort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
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
  // /history reads the agent's whole event log from disk: more patience than for /status.
  static final Duration DOCUMENT_READ_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration DOCUMENT_FETCH = CONNECT_TIMEOUT.plus(DOCUMENT_READ_TIMEOUT);

  private final AgentAccess access;
  private final HttpClient http;

  public StatusClient() {
    this(AgentAccess.PLAIN);
  }

  public StatusClient(AgentAccess access) {
    this.access = access;
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        // The API speaks HTTP/1.1 only; skipping the h2c upgrade saves a round trip.
        .version(HttpClient.Version.HTTP_1_1);
    access.tls().ifPresent(b::sslContext);
    this.http = b.build();
  }

  /**
   * A JSON document of one agent ({@code /history}, {@code /cluster}): the body of a 200, or why
   * there is none.
   */
  public CompletableFuture<Fetched> fetchJson(HostPort agent, String path) {
    HttpRequest request;
    try {
      request = request(agent, path, DOCUMENT_READ_TIMEOUT);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Fetched(agent, Optional.empty(), "bad address: " + e.getMessage()));
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .orTimeout(DOCUMENT_FETCH.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, error) -> {
          if (error != null) {
            return new Fetched(agent, Optional.empty(), failed(agent, error, DOCUMENT_READ_TIMEOUT, DOCUMENT_FETCH).failure());
          }
          if (response.statusCode() != 200) {
            return new Fetched(agent, Optional.empty(), "HTTP " + response.statusCode() + errorOf(response.body()));
          }
          try {
            return new Fetched(agent, Optional.of(StatusJson.readTree(response.body())), "");
          } catch (IOException e) {
            return new Fetched(agent, Optional.empty(), "not JSON: " + firstLine(e.getMessage()));
          }
        });
  }

  /** One agent's JSON answer, or why there is none. */
  public record Fetched(HostPort agent, Optional<JsonNode> body, String failure) {}

  private HttpRequest request(HostPort agent, String path) {
    return request(agent, path, READ_TIMEOUT);
  }

  private HttpRequest request(HostPort agent, String path, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(access.uri(agent, path))
        .timeout(timeout)
        .header("Accept", "application/json")
        .GET();
    access.readToken().ifPresent(t -> b.header("Authorization", "Bearer " + t.text()));
    return b.build();
  }

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
      request = request(agent, "/status");
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          StatusResult.unreachable(agent, "bad address: " + e.getMessage()));
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .orTimeout(WHOLE_FETCH.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, error) -> error == null ? parse(agent, response) : failed(agent, error, READ_TIMEOUT, WHOLE_FETCH));
  }

  private static StatusResult parse(HostPort agent, HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      return StatusResult.unreachable(
          agent, "HTTP " + response.statusCode() + errorOf(response.body()));
    }
    try {
      return StatusResult.reached(agent, StatusJson.readStatus(response.body()), StatusJson.readTree(response.body()));
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

  private static StatusResult failed(HostPort agent, Throwable error, Duration readTimeout, Duration whole) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String reason;
    if (cause instanceof HttpConnectTimeoutException) {
      reason = "no connection within " + CONNECT_TIMEOUT.toMillis() + " ms";
    } else if (cause instanceof HttpTimeoutException) {
      reason = "no answer within " + readTimeout.toMillis() + " ms";
    } else if (cause instanceof TimeoutException) {
      reason = "answer incomplete after " + whole.toMillis() + " ms";
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
