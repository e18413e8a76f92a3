package dev.redisha.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Finds a {@code redis-server} to run: the configured one, else the system's (on the PATH), else
 * the Linux binary shipped inside the embedded-redis artifact, so a machine with only Java can
 * run the demo and the tests.
 */
public final class RedisBinary {
  /** Set to "embedded" to skip the system binary (used to test the fallback). */
  public static final String PROPERTY = "redisha.redis.binary";

  private RedisBinary() {}

  public static Path locate(Optional<Path> configured) {
    if (configured.isPresent()) {
      return configured.get();
    }
    String override = System.getProperty(PROPERTY, System.getenv("REDIS_HA_REDIS_BINARY"));
    if ("embedded".equals(override)) {
      return embedded();
    }
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    return onPath().orElseGet(RedisBinary::embedded);
  }

  static Optional<Path> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Extracts the embedded binary once per version into the temp directory. */
  public static synchronized Path embedded() {
    String resource = embeddedResourceName();
    Path target = Path.of(System.getProperty("java.io.tmpdir"), "redis-ha-" + resource);
    if (Files.isExecutable(target)) {
      return target;
    }
    try (InputStream in = RedisBinary.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "no redis-server on the PATH and the embedded-redis artifact has no " + resource);
      }
      Path tmp = Files.createTempFile(target.getParent(), "redis-ha-", ".part");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      // Rename last, so a concurrent reader never runs a half-written binary.
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the embedded redis-server to " + target, e);
    }
  }

  private static String embeddedResourceName() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    if (!os.contains("linux")) {
      throw new IllegalStateException("the embedded redis-server is used on Linux only; install redis-server");
    }
    if (Set.of("amd64", "x86_64").contains(arch)) {
      return "redis-server-6.2.6-v5-linux-amd64";
    }
    if (Set.of("aarch64", "arm64").contains(arch)) {
      return "redis-server-6.2.7-linux-arm64";
    }
    throw new IllegalStateException("no embedded redis-server for " + arch + "; install redis-server");
  }
}
