package dev.redisha.endpoint;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All configured endpoints, updated together; a view is passed on only when it changed. */
public final class Endpoints implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Endpoints.class);
  private final List<Endpoint> endpoints;
  private MasterView last;

  public Endpoints(List<Endpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  public synchronized void publish(MasterView view) {
    if (view.equals(last)) {
      return;
    }
    last = view;
    for (Endpoint e : endpoints) {
      try {
        e.update(view);
      } catch (RuntimeException ex) {
        // One broken endpoint must not keep the others (or the failover) from going on.
        log.error("endpoint {} failed to follow the master change", e.name(), ex);
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
