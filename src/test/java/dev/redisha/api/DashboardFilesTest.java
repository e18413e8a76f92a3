package dev.redisha.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's files as a browser gets them from the API server. */
class DashboardFilesTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private ApiServer server;

  @BeforeEach
  void startServer() throws Exception {
    server =
        ApiServer.start(new HostPort("127.0.0.1", 0), StatusSamples::master, List::of, Optional.empty(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new RefusingOperations());
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void pageScriptAndStyleComeWithTheirTypesAPolicyAndNoCache() throws Exception {
    assertFile("/", "text/html; charset=utf-8", "<script src=\"/dashboard/dashboard.js\"");
    assertFile("/dashboard/dashboard.js", "text/javascript; charset=utf-8", "fetchWithTimeout(\"/status\"");
    assertFile("/dashboard/dashboard.css", "text/css; charset=utf-8", "body {");
  }

  @Test
  void pathsOutsideTheDashboardsFilesAre404() throws Exception {
    for (String path : List.of("/index.html", "/dashboard/", "/dashboard", "/dashboard/../logback.xml",
        "/dashboard/%2e%2e/logback.xml", "/dashboard/..%2flogback.xml", "/logback.xml",
        "/dev/redisha/api/dashboard/index.html", "/dashboard/index.html", "/dashboard/DashboardFiles.class",
        "/dashboard/dashboard.js/", "//dashboard/dashboard.js", "/dashboard/dashboard.js%00.css")) {
      HttpResponse<String> answer = get(path);
      assertEquals(404, answer.statusCode(), path);
      assertEquals("application/json", answer.headers().firstValue("Content-Type").orElse(""), path);
    }
  }

  @Test
  void headTellsTheLengthAndOtherMethodsAre405() throws Exception {
    HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());
    assertEquals(String.valueOf(resource("index.html").length),
        head.headers().firstValue("Content-Length").orElse(""));

    HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/")).POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(405, post.statusCode());
    assertEquals("GET, HEAD, OPTIONS", post.headers().firstValue("Allow").orElse(""));
  }

  /** A guard on the rule that server text never becomes markup: the script never parses HTML. */
  @Test
  void theScriptNeverTurnsTextIntoMarkup() throws Exception {
    String script = new String(resource("dashboard.js"), StandardCharsets.UTF_8);
    for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
        "new Function", "localStorage", "sessionStorage", "document.cookie")) {
      assertFalse(script.contains(sink), "dashboard.js uses " + sink);
    }
    String page = new String(resource("index.html"), StandardCharsets.UTF_8);
    assertFalse(page.contains(" style=") || page.contains("<style")
            || java.util.regex.Pattern.compile("\\son[a-z]+\\s*=").matcher(page).find(),
        "index.html has inline style or an inline event handler, which the policy would block");
  }

  private void assertFile(String path, String type, String content) throws Exception {
    HttpResponse<String> answer = get(path);
    assertEquals(200, answer.statusCode(), path);
    assertEquals(type, answer.headers().firstValue("Content-Type").orElse(""), path);
    assertEquals("no-cache", answer.headers().firstValue("Cache-Control").orElse(""), path);
    assertEquals("nosniff", answer.headers().firstValue("X-Content-Type-Options").orElse(""), path);
    String policy = answer.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(policy.contains("default-src 'none'") && policy.contains("script-src 'self'")
        && policy.contains("connect-src 'self'") && policy.contains("frame-ancestors 'none'"), path + ": " + policy);
    assertTrue(answer.body().contains(content), path + " lacks " + content);
  }

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = DashboardFiles.class.getResourceAsStream(DashboardFiles.RESOURCE_DIR + name)) {
      return in.readAllBytes();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
