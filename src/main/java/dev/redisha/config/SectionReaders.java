package dev.redisha.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads the small sections: health, persistence, failover, hooks and api. */
final class SectionReaders {
  private static final Pattern POSITIVE = Pattern.compile("[1-9][0-9]{0,17}");

  private SectionReaders() {}

  /** {@code coordSection} and {@code coordination} are the already read coordination section. */
  static HealthConfig health(
      Section health, Section coordSection, CoordinationConfig coordination) {
    long interval = health.integer("interval_ms", 50, 10, 10_000);
    long timeout = health.integer("timeout_ms", 200, 10, 60_000);
    int failures = health.smallInteger("failures_before_down", 3, 1, 100);
    long busyKill = health.integer("busy_kill_after_ms", HealthConfig.DEFAULT_BUSY_KILL_AFTER_MS, 0, 3_600_000);
    long busyShutdown = health.integer("busy_shutdown_after_ms", HealthConfig.DEFAULT_BUSY_SHUTDOWN_AFTER_MS, 0, 86_400_000);
    health.rejectUnknown();
    // Shutting a master down is the answer to a script that SCRIPT KILL could not stop, so the
    // kill must have been tried first.
    if (!health.concerns("busy_kill_after_ms") && !health.concerns("busy_shutdown_after_ms")
        && busyShutdown <= busyKill) {
      health.problem("busy_shutdown_after_ms", "must be greater than " + health.field("busy_kill_after_ms")
          + " = " + busyKill + " ms (the agent tries SCRIPT KILL before it shuts a busy master down), got " + busyShutdown);
    }
    // A probe that may take longer than the peers wait for an advert would let peers declare
    // this node down while its Redis is merely slow, and fail over needlessly.
    long downTime = coordination.advertIntervalMs() * coordination.downAfterAdverts();
    boolean comparable = !health.concerns("timeout_ms")
        && !coordSection.concerns("advert_interval_ms")
        && !coordSection.concerns("down_after_adverts");
    if (comparable && timeout >= downTime) {
      health.problem("timeout_ms", "must be less than the coordination down time "
          + coordSection.field("advert_interval_ms") + " * "
          + coordSection.field("down_after_adverts") + " = " + downTime + " ms, got " + timeout);
    }
    return new HealthConfig(interval, timeout, failures, busyKill, busyShutdown);
  }

  static PersistencePolicy persistence(Section persistence, Section root) {
    String save = save(persistence);
    boolean appendOnly = persistence.bool("appendonly", false);
    String appendFsync =
        persistence.choice("appendfsync", "everysec", List.of("always", "everysec", "no"));
    persistence.rejectUnknown();
    // DESIGN rule 4: the replica is where the data lives on disk.
    boolean checkable = !persistence.concerns("save") && !persistence.concerns("appendonly");
    if (checkable && save.isEmpty() && !appendOnly) {
      root.problem("persistence", "replicas must persist something: set persistence.save or"
          + " persistence.appendonly");
    }
    return new PersistencePolicy(save, appendOnly, appendFsync);
  }

  private static String save(Section persistence) {
    String fallback = "900 1 300 10 60 10000";
    String expected = "pairs of positive integers \"<seconds> <changes> ...\" such as \""
        + fallback + "\", or \"\" for no RDB snapshots";
    Optional<String> save = persistence.text("save", expected);
    if (save.isEmpty()) {
      return fallback;
    }
    String normalized = save.get().strip().replaceAll("\\s+", " ");
    List<String> numbers = normalized.isEmpty() ? List.of() : List.of(normalized.split(" "));
    boolean valid = numbers.size() % 2 == 0
        && numbers.stream().allMatch(n -> POSITIVE.matcher(n).matches());
    if (!valid) {
      persistence.problem("save", "must be " + expected + ", got " + Values.show(save.get()));
      return fallback;
    }
    return normalized;
  }

  static FailoverConfig failover(Section failover) {
    long timeout = failover.integer("switchover_timeout_ms", 2000, 100, 60_000);
    long maxLag = failover.integer("max_catch_up_lag_bytes", 1_048_576, 0, Long.MAX_VALUE);
    long requestTimeout = failover.integer("switchover_request_timeout_ms",
        FailoverConfig.DEFAULT_SWITCHOVER_REQUEST_TIMEOUT_MS, 1_000, 3_600_000);
    failover.rejectUnknown();
    return new FailoverConfig(timeout, maxLag, requestTimeout);
  }

  static HooksConfig hooks(Section hooks) {
    String expected = "the path of an executable script";
    Optional<Path> master = hooks.file("notify_master", expected, true);
    Optional<Path> backup = hooks.file("notify_backup", expected, true);
    Optional<Path> fault = hooks.file("notify_fault", expected, true);
    Optional<Path> stop = hooks.file("notify_stop", expected, true);
    long timeout = hooks.integer("timeout_ms", 5000, 100, 600_000);
    hooks.rejectUnknown();
    return new HooksConfig(master, backup, fault, stop, timeout);
  }

  static ApiConfig api(Section api, Secrets secrets) {
    HostPort listen =
        api.hostPort("listen", new HostPort("127.0.0.1", 7480), "the HTTP API's listen address");
    Optional<Secret> token = secrets.read(api, "token", false, 1);
    Optional<Secret> readToken = secrets.read(api, "read_token", false, 1);
    if (token.isPresent() && readToken.isPresent() && java.util.Arrays.equals(token.get().bytes(), readToken.get().bytes())) {
      // A read token equal to the write token would hand write access to every reader.
      api.problem("read_token_file", "must differ from the write token (" + api.field("token_file") + "/"
          + api.field("token_env") + "); a read-only token that is also the write token allows writes");
    }
    Optional<ApiTlsConfig> tls = api.has("tls") ? apiTls(api.section("tls")) : Optional.empty();
    api.rejectUnknown();
    return new ApiConfig(listen, token, readToken, tls);
  }

  private static Optional<ApiTlsConfig> apiTls(Section tls) {
    Optional<Path> cert = tls.file("cert_file", "the path of a readable PEM certificate file", false);
    Optional<Path> key = tls.file("key_file", "the path of a readable PEM private key file", false);
    Optional<Path> ca = tls.file("ca_file", "the path of a readable PEM CA certificate file", false);
    for (String required : List.of("cert_file", "key_file")) {
      if (!tls.has(required)) {
        tls.problem(required, "is required with api.tls; expected the path of a PEM file");
      }
    }
    key.ifPresent(k -> tls.warnIfOthersCanRead("key_file", k));
    tls.rejectUnknown();
    if (cert.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    try {
      PemFiles.keyManagers(cert.get(), key.get());
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      tls.problem("key_file", "must be the private key of " + tls.field("cert_file") + ", both PEM: " + e.getMessage());
      return Optional.empty();
    }
    if (ca.isPresent()) {
      try {
        PemFiles.certificates(ca.get());
      } catch (java.io.IOException | java.security.GeneralSecurityException e) {
        tls.problem("ca_file", "must hold PEM CA certificates: " + e.getMessage());
        return Optional.empty();
      }
    }
    return Optional.of(new ApiTlsConfig(cert.get(), key.get(), ca));
  }
}
