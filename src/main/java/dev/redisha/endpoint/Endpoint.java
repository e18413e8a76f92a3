package dev.redisha.endpoint;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

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

  /**
   * This node's Redis is about to be demoted while it may still accept writes: stop steering
   * clients here now (the VIP goes first). Called before {@link #update} with the new view.
   */
  default void localDemoting() {}

  /**
   * A planned switchover is about to start: stop sending clients' commands on and complete when
   * nothing is in flight (true), or when {@code max} passed (false). Endpoints that do not carry
   * client traffic are ready at once.
   */
  default CompletableFuture<Boolean> prepareHandover(Duration max) {
    return CompletableFuture.completedFuture(true);
  }

  /** The switchover finished: carry the held clients over to {@code view}'s master. */
  default void completeHandover(MasterView view) {
    update(view);
  }

  /** The switchover was called off: resume as before. */
  default void abortHandover() {}

  @Override
  void close();
}
