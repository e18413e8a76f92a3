package dev.redisha.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's files (DESIGN §6), shipped in the jar under {@link #RESOURCE_DIR} and read once
 * at start. Only the files listed here are served, each at a fixed path: nothing a client sends
 * is turned into a resource name, so no path ({@code ..}, encoded dots, a class file's name)
 * reaches anything else on the class path; every other path is the API's 404.
 */
final class DashboardFiles {
  static final String RESOURCE_DIR = "/dev/redisha/api/dashboard/";

  /**
   * The page loads its script and style from this server only and talks to no other origin; no
   * inline script or style is allowed, so a status string that slipped into the markup could not
   * run. Frames and form posts are refused, as is any plugin.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** URL path to resource name. */
  private static final Map<String, String> PATHS =
      Map.of(
          "/", "index.html",
          "/dashboard/dashboard.js", "dashboard.js",
          "/dashboard/dashboard.css", "dashboard.css");

  private static final Map<String, String> CONTENT_TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8");

  /**
   * One file and the headers it is sent with.
   *
   * @param headers the security headers and {@code Cache-Control: no-cache}: the browser checks
   *     back every time, so a page and its script never mix two agent versions after an upgrade
   */
  record File(String contentType, byte[] body, Map<String, String> headers) {}

  private final Map<String, File> files;

  private DashboardFiles(Map<String, File> files) {
    this.files = Map.copyOf(files);
  }

  /**
   * Reads every file from the class path.
   *
   * @throws IllegalStateException if one is missing (a broken build)
   */
  static DashboardFiles load() {
    Map<String, File> files = new LinkedHashMap<>();
    PATHS.forEach((path, name) -> files.put(path, read(name)));
    return new DashboardFiles(files);
  }

  /** The file served at {@code path}, exactly; empty for every other path. */
  Optional<File> at(String path) {
    return Optional.ofNullable(files.get(path));
  }

  /** The URL paths served. */
  Iterable<String> paths() {
    return files.keySet();
  }

  private static File read(String name) {
    String type = CONTENT_TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    if (type == null) {
      throw new IllegalStateException("no content type for dashboard file " + name);
    }
    try (InputStream in = DashboardFiles.class.getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file " + RESOURCE_DIR + name + " missing from the jar");
      }
      Map<String, String> headers =
          Map.of(
              "Cache-Control", "no-cache",
              "Content-Security-Policy", CONTENT_SECURITY_POLICY,
              "X-Content-Type-Options", "nosniff",
              "X-Frame-Options", "DENY",
              "Referrer-Policy", "no-referrer");
      return new File(type, in.readAllBytes(), headers);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dashboard file " + name, e);
    }
  }
}
