package dev.redisha.api;

import io.netty.channel.Channel;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API's open connections, for its connection limit. At the limit a new connection
 * closes the one that has waited longest for its request: refusing the new one instead would let
 * whoever holds the most idle sockets keep every load balancer's health check out. A connection
 * whose request is being answered is never closed for another.
 *
 * <p>Not thread-safe: used only on the API's one event loop.
 */
final class ConnectionTable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionTable.class);

  private final int max;
  private final Set<Channel> open = new HashSet<>();
  /** Connections waiting for their next request, the longest-waiting first. */
  private final LinkedHashSet<Channel> awaiting = new LinkedHashSet<>();
  /** Connections closed to make room since the table was last below its limit. */
  private long evicted;

  ConnectionTable(int max) {
    this.max = max;
  }

  /** Takes {@code channel} in, closing another if need be; false if all are being answered. */
  boolean admit(Channel channel) {
    if (open.size() >= max) {
      Iterator<Channel> oldest = awaiting.iterator();
      if (!oldest.hasNext()) {
        return false;
      }
      Channel victim = oldest.next();
      oldest.remove();
      open.remove(victim);
      victim.close();
      if (evicted++ == 0) {
        log.warn("HTTP API at its limit of {} connections: closing the ones idle longest to make room", max);
      }
    }
    open.add(channel);
    return true;
  }

  /** {@code channel} now waits for a request (it is the newest to wait). */
  void awaiting(Channel channel) {
    if (open.contains(channel)) {
      awaiting.remove(channel);
      awaiting.add(channel);
    }
  }

  /** {@code channel}'s request is being answered: it may not be closed to make room. */
  void answering(Channel channel) {
    awaiting.remove(channel);
  }

  void remove(Channel channel) {
    open.remove(channel);
    awaiting.remove(channel);
    // Said once when the pressure ends, with how much it cost, rather than per connection.
    if (evicted > 0 && open.size() < max - max / 10) {
      log.warn("HTTP API back under its connection limit; {} idle connection(s) were closed to make room", evicted);
      evicted = 0;
    }
  }

  int size() {
    return open.size();
  }
}
