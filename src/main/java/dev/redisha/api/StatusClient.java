package dev.redisha.api;

import dev.redisha.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks agents for {@code GET /status}, for {@code redis-ha status}. Every failure becomes a
 * {@link StatusResult} with a reason, so one dead agent costs its row, not the whole table.
 *
 * <p>Plain {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: building an HttpClient
 * sets up the JDK's default TLS context (the CA store, the cipher suites) even for {@code http://},
 * about 600 classes and 0.3 s of a 1 s CLI call on a quiet 2-core machine; the API speaks plain
 * HTTP/1.1 only.
 */
public final class StatusClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
  // The read timeout bounds each wait for bytes; this bounds the whole answer as well.
  private static final Duration WHOLE_FETCH = CONNECT_TIMEOUT.plus(READ_TIMEOUT);
  // One daemon thread per agent asked, so all are asked at once and a hung one never keeps the
  // CLI from exiting.
  private static final Executor FETCHERS = task -> {
    Thread t = new Thread(task, "status-fetch");
    t.setDaemon(true);
    t.start();
  };

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
    URL url;
    try {
      url = statusUri(agent).toURL();
    } catch (IllegalArgumentException | IOException e) {
      return CompletableFuture.completedFuture(
          StatusResult.unreachable(agent, "bad address: " + e.getMessage()));
    }
    return CompletableFuture.supplyAsync(() -> get(agent, url), FETCHERS)
        .orTimeout(WHOLE_FETCH.toMillis(), TimeUnit.MILLISECONDS)
        .handle((result, error) -> error == null ? result : failed(agent, error));
  }

  private static StatusResult get(HostPort agent, URL url) {
    HttpURLConnection http;
    try {
      http = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
      http.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      http.setReadTimeout((int) READ_TIMEOUT.toMillis());
      http.setRequestProperty("Accept", "application/json");
      http.setRequestProperty("Connection", "close");
      http.setUseCaches(false);
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
      if (code != 200) {
        return StatusResult.unreachable(agent, "HTTP " + code + errorOf(readAll(http.getErrorStream())));
      }
      return parse(agent, readAll(http.getInputStream()));
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

  private static URI statusUri(HostPort agent) {
    String host = agent.host();
    // An IPv6 literal needs brackets in a URI.
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + agent.port() + "/status");
  }

  private static StatusResult parse(HostPort agent, byte[] body) {
    try {
      return StatusResult.reached(agent, StatusJson.readStatus(body));
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
    if (cause instanceof ConnectTimeout) {
      reason = "no connection within " + CONNECT_TIMEOUT.toMillis() + " ms";
    } else if (cause instanceof AnswerTimeout) {
      reason = "no answer within " + READ_TIMEOUT.toMillis() + " ms";
    } else if (cause instanceof TimeoutException) {
      reason = "answer incomplete after " + WHOLE_FETCH.toMillis() + " ms";
    } else if (cause instanceof ConnectException) {
      // "Connection refused" from the JDK; as the rest of the sentence: "connection refused".
      String m = cause.getMessage();
      reason = m == null || m.isEmpty() ? "connection refused" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    } else {
      reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
    return StatusResult.unreachable(agent, firstLine(reason));
  }

  /** The connection was not made within {@link #CONNECT_TIMEOUT}. */
  private static final class ConnectTimeout extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Connected, but no byte of the answer within {@link #READ_TIMEOUT}. */
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
