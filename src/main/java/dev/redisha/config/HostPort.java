package dev.redisha.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** A host and a TCP/UDP port, as written in the config ("127.0.0.1:6379", "[::1]:7000"). */
public record HostPort(String host, int port) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.-]+)?");
  /** No DNS name is digits and dots only (a top-level domain is never numeric): it is meant as IPv4. */
  private static final Pattern NUMERIC = Pattern.compile("[0-9.]+");
  private static final Pattern OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");

  /**
   * Parses "host:port"; an IPv6 host goes in brackets. The port must be 1..65535.
   *
   * @throws IllegalArgumentException saying what is wrong with the text
   */
  public static HostPort parse(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("the closing ] of the IPv6 address is missing");
      }
      if (close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("the port is missing");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (!IPV6.matcher(host).matches() || !validIpv6(host)) {
        throw new IllegalArgumentException("the part in brackets is not an IPv6 address");
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("the port is missing");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (host.contains(":")) {
        throw new IllegalArgumentException("an IPv6 address needs brackets, as in [::1]:7000");
      }
      Optional<String> bad = hostProblem(host);
      if (bad.isPresent()) {
        throw new IllegalArgumentException(bad.get());
      }
    }
    return new HostPort(host, parsePort(port));
  }

  /** What is wrong with a bare host name or address (no port), if anything. */
  static Optional<String> hostProblem(String host) {
    if (host.isEmpty()) {
      return Optional.of("the host is empty");
    }
    if (host.contains(":")) {
      return IPV6.matcher(host).matches() && validIpv6(host)
          ? Optional.empty()
          : Optional.of("\"" + host + "\" is not an IPv6 address");
    }
    if (NUMERIC.matcher(host).matches()) {
      return ipv4Problem(host);
    }
    if (NAME.matcher(host).matches()) {
      return Optional.empty();
    }
    return Optional.of(
        "the host may only contain letters, digits, '.', '-' and '_', or be an IPv6 address");
  }

  // Without this, "999.1.1.1" passes as a host name and only fails when a socket is bound to it.
  private static Optional<String> ipv4Problem(String host) {
    String[] octets = host.split("\\.", -1);
    boolean valid = octets.length == 4;
    for (String octet : octets) {
      valid &= OCTET.matcher(octet).matches() && Integer.parseInt(octet) <= 255;
    }
    return valid
        ? Optional.empty()
        : Optional.of("\"" + host + "\" is not an IPv4 address (four numbers 0-255 without leading"
            + " zeros, as in 10.0.0.1)");
  }

  // The JDK parses a bracketed literal without any name lookup; the scope ("%eth0") is left out
  // because it names an interface of the host the agent runs on, not of this one.
  private static boolean validIpv6(String host) {
    int scope = host.indexOf('%');
    String address = scope < 0 ? host : host.substring(0, scope);
    try {
      InetAddress.getByName("[" + address + "]");
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static int parsePort(String port) {
    // Digits only: Integer.parseInt would also take "+80", and a port is never written that way.
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("the port must be a number between 1 and 65535");
    }
    int value = Integer.parseInt(port);
    if (value < 1 || value > 65535) {
      throw new IllegalArgumentException("the port must be a number between 1 and 65535");
    }
    return value;
  }

  /** The form {@link #parse} reads back; IPv6 hosts get brackets so the port stays unambiguous. */
  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
