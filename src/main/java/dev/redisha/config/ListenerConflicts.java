package dev.redisha.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds two TCP listeners of one node on one address and port (the API, the proxy, the Sentinel
 * endpoint, the local Redis): the second one could never bind, and the agent would find out only
 * at start, after Redis was already running. The advert socket is UDP and shares no port space
 * with them.
 */
final class ListenerConflicts {
  private ListenerConflicts() {}

  /**
   * One listener: the field an operator changes (a dotted path from the top of the file), what
   * listens there, and the address it binds.
   */
  record Listener(String field, String what, HostPort address) {}

  /** Reports each listener that overlaps an earlier one, on the later one's field. */
  static void check(Section root, List<Listener> listeners) {
    List<Listener> checked = new ArrayList<>();
    for (Listener l : listeners) {
      // A field with a problem of its own holds a stand-in value; comparing it would mislead.
      if (root.concernsPath(l.field())) {
        continue;
      }
      for (Listener earlier : checked) {
        if (overlap(earlier.address(), l.address())) {
          root.problem(l.field(), l.address() + " (" + l.what() + ") overlaps "
              + earlier.field() + " " + earlier.address() + " (" + earlier.what() + "): two"
              + " listeners of one node cannot share a port; give one of them another port");
          break;
        }
      }
      checked.add(l);
    }
  }

  /**
   * Whether binding both would fail. A wildcard ("0.0.0.0" or "::") takes its port on every
   * address of both families: the JDK's sockets are dual-stack, so even 0.0.0.0 and ::1 collide.
   */
  static boolean overlap(HostPort a, HostPort b) {
    if (a.port() != b.port()) {
      return false;
    }
    if (a.host().equalsIgnoreCase(b.host())) {
      return true;
    }
    Optional<InetAddress> x = resolve(a.host());
    Optional<InetAddress> y = resolve(b.host());
    if (x.isEmpty() || y.isEmpty()) {
      return false;
    }
    return covers(x.get(), y.get()) || covers(y.get(), x.get());
  }

  private static boolean covers(InetAddress wide, InetAddress other) {
    return wide.equals(other) || wide.isAnyLocalAddress();
  }

  // Literals parse without a lookup; a name that does not resolve is reported by the start
  // checks, so here it simply cannot be compared.
  private static Optional<InetAddress> resolve(String host) {
    try {
      return Optional.of(InetAddress.getByName(host.contains(":") ? "[" + host + "]" : host));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
