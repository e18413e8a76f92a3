package dev.redisha.agent;

import dev.redisha.api.NodeStatus.EndpointView;
import dev.redisha.endpoint.Endpoint;
import dev.redisha.endpoint.Endpoints;
import dev.redisha.endpoint.proxy.RedisProxy;
import dev.redisha.endpoint.sentinel.SentinelEndpoint;
import dev.redisha.endpoint.vip.VipEndpoint;
import dev.redisha.config.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the status shows of this agent's endpoints. Built on the decision thread only, at most
 * once per {@link #REFRESH_MS}: the status is rebuilt after every decision (tens of times a
 * second), and counting a proxy's clients walks all its connections.
 */
final class EndpointViews {
  static final long REFRESH_MS = 500;

  private final Endpoints endpoints;
  private final LongSupplier clockMs;
  private List<EndpointView> latest = List.of();
  private long builtAtMs;
  private boolean built;

  EndpointViews(Endpoints endpoints, LongSupplier clockMs) {
    this.endpoints = endpoints;
    this.clockMs = clockMs;
  }

  /** The views, rebuilt when older than {@link #REFRESH_MS}. */
  List<EndpointView> latest() {
    long now = clockMs.getAsLong();
    if (!built || now - builtAtMs >= REFRESH_MS) {
      latest = build();
      builtAtMs = now;
      built = true;
    }
    return latest;
  }

  private List<EndpointView> build() {
    List<EndpointView> views = new ArrayList<>();
    for (Endpoint e : endpoints.all()) {
      if (e instanceof VipEndpoint vip) {
        String address = vip.name().substring("vip ".length());
        views.add(new EndpointView("vip", address, vip.held(), "", -1));
      } else if (e instanceof RedisProxy proxy) {
        String target = proxy.master().map(HostPort::toString).orElse("");
        views.add(new EndpointView("proxy", proxy.listenAddress().toString(), !target.isEmpty(), target,
            proxy.metrics().connections()));
      } else if (e instanceof SentinelEndpoint sentinel) {
        String target = sentinel.announcedMaster().map(HostPort::toString).orElse("");
        views.add(new EndpointView("sentinel", sentinel.address().toString(), !target.isEmpty(), target,
            sentinel.connectedClients()));
      }
    }
    return List.copyOf(views);
  }
}
