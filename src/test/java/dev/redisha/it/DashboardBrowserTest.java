package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.redisha.config.EndpointsConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.config.RedisMode;
import dev.redisha.testsupport.Await;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import redis.clients.jedis.Jedis;

/**
 * The dashboard in a real browser (headless Chromium through chromedriver) against a running
 * pair of agents: it shows the roles, an operator switches over with the page's button and
 * token, and the page follows the new master. Leaves a screenshot in target/dashboard/.
 */
class DashboardBrowserTest {
  private static final String TOKEN = "dash-token-3f9a61c2";
  private static final Path SCREENSHOT = Path.of("target", "dashboard", "dashboard.png");
  private static final Duration PAGE_WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;

  @Test
  void pageShowsTheRolesAndFollowsASwitchoverStartedFromItsButton() throws Exception {
    Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
    Optional<Path> chromedriver = onPath("chromedriver");
    if (chromium.isEmpty() || chromedriver.isEmpty()) {
      String reason = "skipped: needs chromium and chromedriver on the PATH (Debian: apt-get install chromium"
          + " chromium-driver); found chromium=" + chromium.map(Path::toString).orElse("none")
          + ", chromedriver=" + chromedriver.map(Path::toString).orElse("none");
      System.out.println("DashboardBrowserTest " + reason);
      Assumptions.abort(reason);
    }
    try (TestGroup g = TestGroup.pair(dir, RedisMode.MANAGED, DashboardBrowserTest::withTokenAndEndpoints)) {
      g.nodes().forEach(TestNode::startAgent);
      TestNode a = g.node("a");
      TestNode b = g.node("b");
      Scenarios.awaitSteadyPair(g, a, b);

      ChromeDriver browser = startBrowser(chromium.get(), chromedriver.get());
      HostPort proxyA = a.config.endpoints().proxy().orElseThrow().listen();
      try (Jedis client = new Jedis(proxyA.host(), proxyA.port())) {
        client.auth(a.config.redis().password().orElseThrow().text());
        client.set("dashboard", "seen"); // one client on a's proxy, which the page should count

        browser.get("http://127.0.0.1:" + a.agent.apiPort() + "/");
        pageShows(browser, "a master and b replica", () -> text(browser, "master").equals("a")
            && roles(browser).equals("a=MASTER b=REPLICA"));
        pageShows(browser, "a's proxy steering one client to a's Redis", () -> endpoint(browser, "proxy")
            .equals("proxy " + proxyA + " steering " + a.config.redis().announce() + " 1"));
        HostPort sentinelA = a.config.endpoints().sentinel().orElseThrow().listen();
        assertEquals("sentinel " + sentinelA + " steering " + a.config.redis().announce() + " 0",
            endpoint(browser, "sentinel"));
        assertTrue(text(browser, "durability").contains("persisting: b"), text(browser, "durability"));
        assertEquals("active", text(browser, "maintenance"));

        browser.findElement(By.id("switchover")).click();
        pageShows(browser, "the token dialog", () -> browser.findElement(By.id("token-dialog")).isDisplayed());
        browser.findElement(By.id("token-input")).sendKeys(TOKEN);
        browser.findElement(By.id("token-ok")).click();

        pageShows(browser, "the switchover accepted", () -> text(browser, "op-result").startsWith("Accepted (switchover)"));
        Await.until("b master after the switchover", Duration.ofSeconds(20), () -> b.isMasterAgent() && !a.redisIsMaster());
        pageShows(browser, "b master and a replica", () -> text(browser, "master").equals("b")
            && roles(browser).equals("a=REPLICA b=MASTER"));
        pageShows(browser, "a's proxy steering to b's Redis", () -> endpoint(browser, "proxy")
            .startsWith("proxy " + proxyA + " steering " + b.config.redis().announce()));
        pageShows(browser, "the switchover in the events", () -> text(browser, "events").contains("promote")
            || text(browser, "events").contains("handover"));
        saveScreenshot(browser);

        // The token is remembered by the page: no second dialog, and it went nowhere else.
        browser.findElement(By.id("pause")).click();
        pageShows(browser, "maintenance mode shown", () -> text(browser, "maintenance").equals("paused")
            && text(browser, "banners").contains("Maintenance mode"));
        assertFalse(browser.findElement(By.id("token-dialog")).isDisplayed(), "asked for the token twice");
        browser.findElement(By.id("resume")).click();
        pageShows(browser, "maintenance mode ended", () -> text(browser, "maintenance").equals("active")
            && !text(browser, "banners").contains("Maintenance mode"));
        assertFalse(browser.getCurrentUrl().contains(TOKEN), "token in the URL");
        assertEquals(0L, script(browser, "return localStorage.length + sessionStorage.length + document.cookie.length"),
            "the page stored something");
        assertFalse(((String) script(browser, "return document.documentElement.outerHTML")).contains(TOKEN),
            "the token stayed in the page's markup");

        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
        errors.forEach(e -> System.out.println("browser console: " + e.getMessage()));
        assertTrue(errors.stream().noneMatch(e -> e.getMessage().contains("Content Security Policy")),
            "the page breaks its own Content-Security-Policy: " + errors);
      } finally {
        browser.quit();
      }
    }
  }

  private static ChromeDriver startBrowser(Path chromium, Path chromedriver) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    // CI runs as root, where Chromium's sandbox cannot start; /dev/shm is small in containers.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,1700", "--no-first-run", "--no-default-browser-check");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return driver;
  }

  /**
   * Waits until the page shows {@code what}, reading it every 100 ms: the page redraws every
   * second, and reading the DOM through chromedriver costs a process round trip each time.
   */
  private static void pageShows(ChromeDriver browser, String what, Supplier<Boolean> cond) {
    long deadline = System.nanoTime() + PAGE_WAIT.toNanos();
    while (true) {
      boolean seen;
      try {
        seen = cond.get();
      } catch (WebDriverException e) {
        seen = false; // the element was redrawn between finding and reading it
      }
      if (seen) {
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        saveScreenshot(browser);
        fail("timed out after " + PAGE_WAIT + " waiting for the page to show " + what + "; nodes: "
            + roles(browser) + ", master: " + text(browser, "master") + ", result: " + text(browser, "op-result")
            + " (screenshot in " + SCREENSHOT + ")");
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
  }

  private static String text(ChromeDriver browser, String id) {
    return (String) script(browser, "const e = document.getElementById(arguments[0]);"
        + " return e ? e.textContent.trim() : '';", id);
  }

  /** "a=MASTER b=REPLICA": every node row with its agent state, read in one go. */
  private static String roles(ChromeDriver browser) {
    return (String) script(browser, "return Array.from(document.querySelectorAll('#nodes tbody tr'))"
        + ".map(r => r.getAttribute('data-node') + '=' + r.querySelector('td.role').textContent).join(' ');");
  }

  /** The row of one endpoint kind, its cells joined by spaces. */
  private static String endpoint(ChromeDriver browser, String kind) {
    return (String) script(browser, "const r = document.querySelector('#endpoints tr[data-kind=\"' + arguments[0] + '\"]');"
        + " return r ? Array.from(r.cells).map(c => c.textContent).join(' ') : '';", kind);
  }

  private static Object script(ChromeDriver browser, String js, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(js, args);
  }

  private static void saveScreenshot(ChromeDriver browser) {
    try {
      File shot = browser.getScreenshotAs(OutputType.FILE);
      Files.createDirectories(SCREENSHOT.getParent());
      Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
      System.out.println("dashboard screenshot: " + SCREENSHOT.toAbsolutePath());
    } catch (Exception e) {
      System.out.println("could not save the dashboard screenshot: " + e);
    }
  }

  private static Optional<Path> onPath(String... names) {
    for (String dirName : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : names) {
        Path candidate = Path.of(dirName, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** The write token, and a proxy and a Sentinel endpoint on every node, for the page to show. */
  private static NodeConfig withTokenAndEndpoints(NodeConfig c) {
    NodeConfig withToken = ApiCalls.withToken(c, TOKEN);
    EndpointsConfig endpoints = new EndpointsConfig(Optional.empty(),
        Optional.of(new EndpointsConfig.Proxy(TestGroup.loopback(TestGroup.freeTcpPort()), 5000)),
        Optional.of(new EndpointsConfig.Sentinel(TestGroup.loopback(TestGroup.freeTcpPort()), "test", Map.of())));
    return EndpointsThroughAgentsTest.withEndpoints(withToken, endpoints);
  }
}
