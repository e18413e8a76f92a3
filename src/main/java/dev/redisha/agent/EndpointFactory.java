package dev.redisha.agent;

import dev.redisha.config.HostPort;
import dev.redisha.config.NodeConfig;
import dev.redisha.endpoint.Endpoint;
import dev.redisha.endpoint.Endpoints;
import dev.redisha.endpoint.proxy.NetTransport;
import dev.redisha.endpoint.proxy.ProxyOptions;
import dev.redisha.endpoint.proxy.RedisProxy;
import dev.redisha.endpoint.sentinel.SentinelEndpoint;
import dev.redisha.endpoint.sentinel.SentinelPeer;
import dev.redisha.endpoint.vip.VipEndpoint;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Builds the endpoints a node's config asks for. */
final class EndpointFactory {
  private EndpointFactory() {}

  /**
   * Starts a listening endpoint. Netty rethrows the bind error unwrapped although it is a checked
   * exception, so it is caught here as any exception and turned into a sentence with the field.
   */
  private static Endpoint listening(String what, String field, HostPort address, Supplier<Endpoint> start) {
    try {
      return start.get();
    } catch (Exception e) {
      // Without a cause it is no bind error but a refusal before binding (the proxy's transport
      // is not available here), whose message already says what to change.
      if (e instanceof IllegalStateException && e.getCause() == null) {
        throw e;
      }
      throw ListenFailure.of(what, field, address, e);
    }
  }

  static Endpoints create(NodeConfig config, Consumer<String> events) {
    return create(config, events, Map::of);
  }

  /** @param replOffsets each Redis's last known replication offset, for Sentinel's replicas */
  static Endpoints create(NodeConfig config, Consumer<String> events, Supplier<Map<HostPort, Long>> replOffsets) {
    List<Endpoint> list = new ArrayList<>();
    try {
      config.endpoints().proxy().ifPresent(p -> {
        ProxyOptions base = ProxyOptions.defaults(p.listen()).withMasterWait(Duration.ofMillis(p.noMasterHoldMs()))
            .withIdleTimeout(Duration.ofMillis(p.idleTimeoutMs()));
        // Without a password every client is logged in from the start.
        ProxyOptions options = config.redis().password().isPresent()
            ? base.withUnauthenticatedTimeout(Duration.ofMillis(p.unauthenticatedTimeoutMs())) : base;
        list.add(listening("the proxy", "endpoints.proxy.listen", p.listen(), () ->
            RedisProxy.start(NetTransport.parse(p.transport()).map(options::withTransport).orElse(options), events)));
      });
      // Endpoints follow a new master in this order, one after the other: the proxy's switch is a
      // change in memory (well under a millisecond) while the VIP's waits on ip and arping (10-30 ms
      // on a busy host), so proxy clients no longer wait for the VIP; Sentinel clients poll anyway.
      config.endpoints().vip().ifPresent(v -> list.add(new VipEndpoint(v, events)));
      config.endpoints().sentinel().ifPresent(s -> list.add(listening("the Sentinel endpoint",
          "endpoints.sentinel.listen", s.listen(), () -> SentinelEndpoint.start(s.listen(), s.masterName(),
              config.nodeId(), Optional.empty(),
              s.peers().entrySet().stream().map(e -> new SentinelPeer(e.getKey(), e.getValue())).toList(),
              s.idleTimeoutMs(), replOffsets))));
    } catch (RuntimeException e) {
      // The agent will not run: what already listens (or holds the VIP) must not stay behind.
      list.forEach(Endpoint::close);
      throw e;
    }
    return new Endpoints(list);
  }
}
