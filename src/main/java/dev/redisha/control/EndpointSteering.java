package dev.redisha.control;

/**
 * What the controller tells the endpoints at the moments that matter for safety: the VIP must
 * be gone before the local Redis is demoted, and may appear only after it was promoted.
 */
public interface EndpointSteering {
  void beforeLocalDemotion(long epoch);

  /**
   * The local Redis was promoted: endpoints route clients here.
   *
   * @return when each endpoint step finished ({@link System#nanoTime}), by step name ("vip_added",
   *     "arp_1"), for the promotion's step timings; empty when there are none to report
   */
  java.util.Map<String, Long> afterLocalPromotion(long epoch);

  /**
   * Before a planned switchover: hold client traffic on every endpoint of the group until nothing
   * is in flight, waiting at most {@code maxMs}; returns whether everything was ready in time.
   */
  boolean prepareHandover(String target, long maxMs);

  /** The switchover to {@code target} succeeded: endpoints carry their clients over to it. */
  void handoverCompleted(String target, dev.redisha.config.HostPort targetRedis, long epoch);

  /** The switchover failed: endpoints resume with this node as master. */
  void handoverAborted();

  EndpointSteering NONE = new EndpointSteering() {
    @Override
    public void beforeLocalDemotion(long epoch) {}

    @Override
    public java.util.Map<String, Long> afterLocalPromotion(long epoch) {
      return java.util.Map.of();
    }

    @Override
    public boolean prepareHandover(String target, long maxMs) {
      return true;
    }

    @Override
    public void handoverCompleted(String target, dev.redisha.config.HostPort targetRedis, long epoch) {}

    @Override
    public void handoverAborted() {}
  };
}
