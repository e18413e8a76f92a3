package dev.redisha.endpoint;

/**
 * Steers clients to the master (DESIGN §5). Endpoints follow decisions; they never decide.
 * {@link #update} is called on the agent's decision thread, so it must not block for long:
 * anything slow (ARP announcements, closing many connections) runs on the endpoint's own threads.
 */
public interface Endpoint extends AutoCloseable {
  /** A short name for logs and status ("proxy 0.0.0.0:6390"). */
  String name();

  /**
   * The master changed, or this node is about to stop being master (then {@code
   * view.localIsMaster()} is false and the call happens before the local Redis is demoted).
   */
  void update(MasterView view);

  @Override
  void close();
}
