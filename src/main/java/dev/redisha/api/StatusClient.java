package dev.redisha.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.redisha.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.HttpsURLConnection;

/**
 * Asks agents for {@code GET /status}, for {@code redis-ha status}. Every failure becomes a
 * {@link StatusResult} with a reason, so one dead agent costs its row, not the whole table.
 *
 * <p>{@link HttpURLConnection}, not {@code java.net.http.HttpClient}: building an HttpClient sets up
 * the JDK's default TLS context (the CA store, the cipher suites) even for {@code http://}, about
 * 600 classes and 0.3 s of a 1 s CLI call on a quiet 2-core machine. TLS is set up only for an
 * {@code https} API.
 */
public final class StatusClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
  // The read timeout bounds each wait for bytes; this bounds the whole answer as well.
  private static final Duration WHOLE_FETCH = CONNECT_TIMEOUT.plus(READ_TIMEOUT);
  // /history reads the agent's whole event log from disk: more patience than for /status.
  static final Duration DOCUMENT_READ_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration DOCUMENT_FETCH = CONNECT_TIMEOUT.plus(DOCUMENT_READ_TIMEOUT);
  // One daemon thread per request, so all agents are asked at once and a hung one never keeps the
  // CLI from exiting.
  private static final Executor FETCHERS = task -> {
    Thread t = new Thread(task, "status-fetch");
    t.setDaemon(true);
    t.start();
  };

  private final AgentAccess access;

  public StatusClient() {
    this(AgentAccess.PLAIN);
  }

  public StatusClient(AgentAccess access) {
    this.access = access;
  }

  /**
   * A JSON document of one agent ({@code /history}, {@code /cluster}): the body of a 200, or why
   * there is none.
   */
  public CompletableFuture<Fetched> fetchJson(HostPort agent, String path) {
    return send(agent, path, DOCUMENT_READ_TIMEOUT, DOCUMENT_FETCH).thenApply(answer -> {
      if (!answer.failure().isEmpty()) {
        return new Fetched(agent, Optional.empty(), answer.failure());
      }
      if (answer.code() != 200) {
        return new Fetched(agent, Optional.empty(), "HTTP " + answer.code() + errorOf(answer.body()));
      }
      try {
        return new Fetched(agent, Optional.of(StatusJson.readTree(answer.body())), "");
      } catch (IOException e) {
        return new Fetched(agent, Optional.empty(), "not JSON: " + firstLine(e.getMessage()));
      }
    });
  }

  /** One agent's JSON answer, or why there is none. */
  public record Fetched(HostPort agent, Optional<JsonNode> body, String failure) {}

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
    return send(agent, "/status", READ_TIMEOUT, WHOLE_FETCH).thenApply(answer -> {
      if (!answer.failure().isEmpty()) {
        return StatusResult.unreachable(agent, answer.failure());
      }
      if (answer.code() != 200) {
        return StatusResult.unreachable(agent, "HTTP " + answer.code() + errorOf(answer.body()));
      }
      try {
        return StatusResult.reached(agent, StatusJson.readStatus(answer.body()), StatusJson.readTree(answer.body()));
      } catch (IOException e) {
        return StatusResult.unreachable(agent, "not a redis-ha status: " + firstLine(e.getMessage()));
      }
    });
  }

  /** What one GET gave: a status code and body, or a failure ("" when there was an answer). */
  private record Answer(int code, byte[] body, String failure) {}

  private CompletableFuture<Answer> send(HostPort agent, String path, Duration readTimeout, Duration whole) {
    URL url;
    try {
      url = access.uri(agent, path).toURL();
    } catch (IllegalArgumentException | IOException e) {
      return CompletableFuture.completedFuture(new Answer(0, new byte[0], "bad address: " + e.getMessage()));
    }
    return CompletableFuture.supplyAsync(() -> get(url, readTimeout), FETCHERS)
        .orTimeout(whole.toMillis(), TimeUnit.MILLISECONDS)
        .handle((answer, error) -> error == null ? answer
            : new Answer(0, new byte[0], failure(error, readTimeout, whole)));
  }

  private Answer get(URL url, Duration readTimeout) {
    HttpURLConnection http;
    try {
      http = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
      if (http instanceof HttpsURLConnection https && access.tls().isPresent()) {
        https.setSSLSocketFactory(access.tls().get().getSocketFactory());
      }
      http.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      http.setReadTimeout((int) readTimeout.toMillis());
      http.setUseCaches(false);
      http.setRequestProperty("Accept", "application/json");
      http.setRequestProperty("Connection", "close");
      access.readToken().ifPresent(t -> http.setRequestProperty("Authorization", "Bearer " + t.text()));
    } catch (IOException e) {
      throw new CompletionException(e);
    }
    try {
      http.connect();
    } catch (SocketTimeoutException e) {
      throw new CompletionException(new ConnectTimeout());
    } catch (IOException e) {
      throw new CompletionException(e);
    }
    try {
      int code = http.getResponseCode();
      byte[] body = readAll(code >= 400 ? http.getErrorStream() : http.getInputStream());
      return new Answer(code, body, "");
    } catch (SocketTimeoutException e) {
      throw new CompletionException(new AnswerTimeout());
    } catch (IOException e) {
      throw new CompletionException(e);
    } finally {
      http.disconnect();
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    if (in == null) {
      return new byte[0];
    }
    try (in) {
      return in.readAllBytes();
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

  private static String failure(Throwable error, Duration readTimeout, Duration whole) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String reason;
    if (cause instanceof ConnectTimeout) {
      reason = "no connection within " + CONNECT_TIMEOUT.toMillis() + " ms";
    } else if (cause instanceof AnswerTimeout) {
      reason = "no answer within " + readTimeout.toMillis() + " ms";
    } else if (cause instanceof TimeoutException) {
      reason = "answer incomplete after " + whole.toMillis() + " ms";
    } else if (cause instanceof ConnectException) {
      // "Connection refused" from the JDK; as the rest of the sentence: "connection refused".
      String m = cause.getMessage();
      reason = m == null || m.isEmpty() ? "connection refused" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    } else {
      reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
    String line = firstLine(reason);
    return line.isBlank() ? "unknown error" : line;
  }

  /** The connection (for https, with its handshake) was not made within {@link #CONNECT_TIMEOUT}. */
  private static final class ConnectTimeout extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Connected, but no byte of the answer within the read timeout. */
  private static final class AnswerTimeout extends IOException {
    private static final long serialVersionUID = 1L;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }
}
