package dev.redisha.agent;

import dev.redisha.config.HostPort;
import java.util.Locale;

/**
 * A listener that cannot bind, said in one sentence that names the config field to change. The
 * causes come in different wrappings (the JDK's BindException, Netty's native "bind(..) failed:
 * Address already in use", an UncheckedIOException), none of which names a field.
 */
final class ListenFailure {
  private ListenFailure() {}

  /**
   * @param what the listener, as the sentence's subject ("the proxy")
   * @param field the config field holding its address ("endpoints.proxy.listen")
   */
  static IllegalStateException of(String what, String field, HostPort address, Throwable cause) {
    String text = causeText(cause).toLowerCase(Locale.ROOT);
    String why;
    String change = "change " + field;
    if (text.contains("address already in use")) {
      why = "another process holds that port";
      change += " or stop that process";
    } else if (text.contains("cannot assign requested address")) {
      why = "no interface of this host has that address";
    } else if (text.contains("permission denied") || text.contains("access denied")) {
      why = "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)";
    } else {
      why = causeText(cause);
    }
    return new IllegalStateException(what + " cannot listen on " + address + " (" + field + "): "
        + why + "; " + change, cause);
  }

  /** The messages down the cause chain, joined, so a wrapped bind error is still seen. */
  private static String causeText(Throwable cause) {
    StringBuilder all = new StringBuilder();
    int depth = 0;
    for (Throwable t = cause; t != null && depth < 10; t = t.getCause(), depth++) {
      if (t.getMessage() != null && all.indexOf(t.getMessage()) < 0) {
        all.append(all.length() == 0 ? "" : ": ").append(t.getMessage());
      }
    }
    return all.length() == 0 ? cause.getClass().getSimpleName() : all.toString();
  }
}
