package dev.redisha.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the optional {@code endpoints} section: vip, proxy, sentinel. */
final class EndpointsReader {
  private static final Pattern CIDR = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})/(\\d{1,2})");
  private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

  private EndpointsReader() {}

  static EndpointsConfig read(Section endpoints, String group) {
    Optional<EndpointsConfig.Vip> vip = Optional.empty();
    Optional<EndpointsConfig.Proxy> proxy = Optional.empty();
    Optional<EndpointsConfig.Sentinel> sentinel = Optional.empty();
    if (endpoints.has("vip")) {
      vip = vip(endpoints.section("vip"));
    }
    if (endpoints.has("proxy")) {
      Section p = endpoints.section("proxy");
      HostPort listen = p.hostPort("listen", new HostPort("0.0.0.0", 6390), "the proxy's listen address");
      long hold = p.integer("no_master_hold_ms", 2000, 0, 60_000);
      String transport = p.text("transport", "one of " + String.join(", ", EndpointsConfig.Proxy.TRANSPORTS)).orElse("auto");
      if (!EndpointsConfig.Proxy.TRANSPORTS.contains(transport)) {
        p.problem("transport", "must be one of " + String.join(", ", EndpointsConfig.Proxy.TRANSPORTS) + ", got \"" + transport + "\"");
        transport = "auto";
      }
      long unauthenticated = p.integer("unauthenticated_timeout_ms",
          EndpointsConfig.Proxy.DEFAULT_UNAUTHENTICATED_TIMEOUT_MS, 0, 3_600_000);
      long idle = p.integer("idle_timeout_ms", 0, 0, 7 * 86_400_000L);
      p.rejectUnknown();
      proxy = Optional.of(new EndpointsConfig.Proxy(listen, hold, transport, unauthenticated, idle));
    }
    if (endpoints.has("sentinel")) {
      Section s = endpoints.section("sentinel");
      HostPort listen = s.hostPort("listen", new HostPort("0.0.0.0", 26379), "the Sentinel endpoint's listen address");
      String name = s.text("master_name", "the master name Sentinel clients ask for").orElse(group);
      java.util.Map<String, HostPort> peers = new java.util.LinkedHashMap<>();
      for (String text : s.strings("peers", t -> parsePeer(t).isPresent() ? Optional.empty()
          : Optional.of("must be \"<node_id> <host>:<port>\", got \"" + t + "\""))) {
        parsePeer(text).ifPresent(p -> peers.put(p.getKey(), p.getValue()));
      }
      long idle = s.integer("idle_timeout_ms", EndpointsConfig.Sentinel.DEFAULT_IDLE_TIMEOUT_MS, 100, 86_400_000);
      s.rejectUnknown();
      sentinel = Optional.of(new EndpointsConfig.Sentinel(listen, name, peers, idle));
    }
    endpoints.rejectUnknown();
    return new EndpointsConfig(vip, proxy, sentinel);
  }

  private static Optional<java.util.Map.Entry<String, HostPort>> parsePeer(String text) {
    String[] parts = text.strip().split("\\s+");
    if (parts.length != 2) {
      return Optional.empty();
    }
    try {
      return Optional.of(java.util.Map.entry(parts[0], HostPort.parse(parts[1])));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<EndpointsConfig.Vip> vip(Section v) {
    Optional<String> address = v.requiredText("address", "an IPv4 address with its prefix length, such as 198.18.0.100/24");
    Optional<String> device = v.requiredText("interface", "the network interface name, such as eth0");
    int count = v.smallInteger("arping_count", 5, 1, 100);
    long interval = v.integer("arping_interval_ms", 300, 10, 10_000);
    v.rejectUnknown();
    if (address.isEmpty() || device.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = CIDR.matcher(address.get().strip());
    boolean validIp = m.matches();
    if (validIp) {
      for (String octet : m.group(1).split("\\.")) {
        validIp &= Integer.parseInt(octet) <= 255;
      }
    }
    if (!validIp || Integer.parseInt(m.group(2)) > 32) {
      v.problem("address", "must be an IPv4 address with its prefix length, such as 198.18.0.100/24, got \"" + address.get() + "\"");
      return Optional.empty();
    }
    if (!DEVICE.matcher(device.get()).matches()) {
      v.problem("interface", "must be a network interface name (up to 15 letters, digits, . _ - : @), got \"" + device.get() + "\"");
      return Optional.empty();
    }
    return Optional.of(new EndpointsConfig.Vip(m.group(1), Integer.parseInt(m.group(2)), device.get(), count, interval));
  }
}
