package dev.redisha.config;

/**
 * How the agents of the group agree on the master (DESIGN §4); the timing fields are the peer
 * backend's.
 *
 * @param listen UDP address this agent receives adverts on
 * @param key shared HMAC-SHA256 key of the group
 * @param advertIntervalMs how often adverts are sent
 * @param downAfterAdverts silence of this many intervals makes a peer "down"
 * @param preempt whether a higher-priority in-sync replica takes the master role back
 * @param preemptDelayMs how long the preferred node must be in sync before it takes over
 * @param flapWindowMs window in which faults are counted for the hold-down
 * @param flapMaxFaults faults within the window after which the node stops taking the role back
 * @param bootstrapWaitMs how long a starting node listens for peers before it acts alone
 * @param backend which backend the agents agree through ({@code coordination.backend})
 */
public record CoordinationConfig(
    HostPort listen,
    Secret key,
    long advertIntervalMs,
    int downAfterAdverts,
    boolean preempt,
    long preemptDelayMs,
    long flapWindowMs,
    int flapMaxFaults,
    long bootstrapWaitMs,
    Backend backend) {

  /** The values {@code coordination.backend} accepts. */
  public enum Backend {
    /** Authenticated UDP adverts between the agents (DESIGN §4). */
    PEER;

    /** The word in the config file. */
    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The peer backend (the default). */
  public CoordinationConfig(HostPort listen, Secret key, long advertIntervalMs, int downAfterAdverts, boolean preempt,
      long preemptDelayMs, long flapWindowMs, int flapMaxFaults, long bootstrapWaitMs) {
    this(listen, key, advertIntervalMs, downAfterAdverts, preempt, preemptDelayMs, flapWindowMs, flapMaxFaults,
        bootstrapWaitMs, Backend.PEER);
  }
}
