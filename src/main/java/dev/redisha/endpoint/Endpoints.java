package dev.redisha.endpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All configured endpoints, updated together; a view is passed on only when it changed. */
public final class Endpoints implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Endpoints.class);
  private final List<Endpoint> endpoints;
  private MasterView last;
  /** When each endpoint (by the first word of its name) last finished following a view, in nanoTime. */
  private final java.util.Map<String, Long> updatedAt = new java.util.HashMap<>();
  private String preparedFor;

  public Endpoints(List<Endpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  public synchronized void publish(MasterView view) {
    if (view.equals(last)) {
      return;
    }
    if (preparedFor != null && view.masterNode().isEmpty()) {
      // Mid-switchover nobody is master for a moment; the held clients wait for the new one.
      return;
    }
    last = view;
    boolean complete = preparedFor != null && view.masterNode().equals(java.util.Optional.of(preparedFor));
    preparedFor = null;
    for (Endpoint e : endpoints) {
      try {
        if (complete) {
          e.completeHandover(view);
        } else {
          e.update(view);
        }
        updatedAt.put(kind(e), System.nanoTime());
      } catch (RuntimeException ex) {
        // One broken endpoint must not keep the others (or the failover) from going on.
        log.error("endpoint {} failed to follow the master change", e.name(), ex);
      }
    }
  }

  /**
   * When each endpoint last finished following a new view ({@link System#nanoTime}), keyed by the
   * first word of its name ("vip", "proxy", "sentinel"): the promotion's step timings.
   */
  public synchronized java.util.Map<String, Long> updatedAt() {
    return java.util.Map.copyOf(updatedAt);
  }

  private static String kind(Endpoint e) {
    String name = e.name();
    int space = name.indexOf(' ');
    return space < 0 ? name : name.substring(0, space);
  }

  /**
   * Holds client traffic for a switchover to {@code target}; completes true when every endpoint
   * is drained. The next view naming {@code target} master completes the switchover.
   */
  public synchronized CompletableFuture<Boolean> prepareHandover(String target, Duration max) {
    if (target.equals(preparedFor)) {
      return CompletableFuture.completedFuture(true);
    }
    preparedFor = target;
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (Endpoint e : endpoints) {
      try {
        all.add(e.prepareHandover(max));
      } catch (RuntimeException ex) {
        log.error("endpoint {} could not prepare the switchover", e.name(), ex);
        all.add(CompletableFuture.completedFuture(false));
      }
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(v -> all.stream().allMatch(CompletableFuture::join));
  }

  public synchronized boolean preparedFor(String target) {
    return target.equals(preparedFor);
  }

  public synchronized boolean preparing() {
    return preparedFor != null;
  }

  /**
   * The switchover was called off: endpoints resume with the master they had. The next view is
   * passed on even if it equals the last one: the old master's VIP left before its Redis was
   * paused, and only the next decision that finds this node's Redis master may take it back.
   */
  public synchronized void abortHandover() {
    if (preparedFor == null) {
      return;
    }
    preparedFor = null;
    last = null;
    for (Endpoint e : endpoints) {
      try {
        e.abortHandover();
      } catch (RuntimeException ex) {
        log.error("endpoint {} could not resume after a called-off switchover", e.name(), ex);
      }
    }
  }

  public synchronized void localDemoting() {
    for (Endpoint e : endpoints) {
      try {
        e.localDemoting();
      } catch (RuntimeException ex) {
        log.error("endpoint {} failed to let go before a demotion", e.name(), ex);
      }
    }
  }

  public synchronized MasterView last() {
    return last;
  }

  public List<Endpoint> all() {
    return endpoints;
  }

  @Override
  public synchronized void close() {
    for (Endpoint e : endpoints) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        log.warn("endpoint {} did not close cleanly", e.name(), ex);
      }
    }
  }
}
