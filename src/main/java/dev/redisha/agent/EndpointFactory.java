package dev.redisha.agent;

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
import java.util.function.Consumer;

/** Builds the endpoints a node's config asks for. */
final class EndpointFactory {
  private EndpointFactory() {}

  static Endpoints create(NodeConfig config, Consumer<String> events) {
    List<Endpoint> list = new ArrayList<>();
    config.endpoints().vip().ifPresent(v -> list.add(new VipEndpoint(v, events)));
    config.endpoints().proxy().ifPresent(p -> {
      ProxyOptions options = ProxyOptions.defaults(p.listen()).withMasterWait(Duration.ofMillis(p.noMasterHoldMs()))
          .withIdleTimeout(Duration.ofMillis(p.idleTimeoutMs()));
      // Without a password every client is logged in from the start.
      if (config.redis().password().isPresent()) {
        options = options.withUnauthenticatedTimeout(Duration.ofMillis(p.unauthenticatedTimeoutMs()));
      }
      list.add(RedisProxy.start(NetTransport.parse(p.transport()).map(options::withTransport).orElse(options), events));
    });
    config.endpoints().sentinel().ifPresent(s -> list.add(SentinelEndpoint.start(s.listen(), s.masterName(),
        config.nodeId(), Optional.empty(),
        s.peers().entrySet().stream().map(e -> new SentinelPeer(e.getKey(), e.getValue())).toList())));
    return new Endpoints(list);
  }
}
