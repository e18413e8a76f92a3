package dev.redisha.config;

import java.util.Optional;

/** Reads "coordination": how the agents of the group agree on the master (DESIGN §4). */
final class CoordinationReader {
  /** An HMAC-SHA256 key shorter than this is guessable; RFC 2104 advises the hash length. */
  static final int MIN_KEY_BYTES = 16;
  private static final long MAX_BOOTSTRAP_WAIT_MS = 600_000;

  private CoordinationReader() {}

  static CoordinationConfig read(Section coordination, Secrets secrets) {
    CoordinationConfig.Backend backend = backend(coordination);
    HostPort listen = coordination.hostPort(
        "listen", new HostPort("0.0.0.0", 7400), "the UDP address this agent receives adverts on");
    Optional<Secret> key = secrets.read(coordination, "key", true, MIN_KEY_BYTES);
    long interval = coordination.integer("advert_interval_ms", 100, 10, 10_000);
    int downAfter = coordination.smallInteger("down_after_adverts", 3, 2, 100);
    boolean preempt = coordination.bool("preempt", true);
    long preemptDelay = coordination.integer("preempt_delay_ms", 1000, 0, 3_600_000);
    long flapWindow = coordination.integer("flap_window_ms", 60_000, 1000, 86_400_000);
    int flapMaxFaults = coordination.smallInteger("flap_max_faults", 3, 1, 100);
    // Long enough to hear a running master several times over before acting alone; capped at the
    // field's maximum so that slow (but valid) advert settings still give a valid default.
    long bootstrapDefault = Math.min(5 * interval * downAfter, MAX_BOOTSTRAP_WAIT_MS);
    long bootstrapWait =
        coordination.integer("bootstrap_wait_ms", bootstrapDefault, 0, MAX_BOOTSTRAP_WAIT_MS);
    coordination.rejectUnknown();
    return new CoordinationConfig(listen, key.orElse(null), interval, downAfter, preempt,
        preemptDelay, flapWindow, flapMaxFaults, bootstrapWait, backend);
  }

  /** An unknown value is a problem naming the field and the accepted values; the default is peer. */
  private static CoordinationConfig.Backend backend(Section coordination) {
    Optional<String> backend = coordination.text("backend", "\"peer\"");
    for (CoordinationConfig.Backend b : CoordinationConfig.Backend.values()) {
      if (backend.isEmpty() || backend.get().equals(b.configName())) {
        return b;
      }
    }
    if (backend.get().equals("zookeeper")) {
      coordination.problem("backend", "\"zookeeper\" is not available yet; use peer");
    } else {
      coordination.problem("backend", "must be \"peer\" (the only backend so far), got "
          + Values.show(backend.get()));
    }
    return CoordinationConfig.Backend.PEER;
  }
}
