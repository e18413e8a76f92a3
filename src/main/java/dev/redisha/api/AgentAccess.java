package dev.redisha.api;

import dev.redisha.config.ApiConfig;
import dev.redisha.config.HostPort;
import dev.redisha.config.PemFiles;
import dev.redisha.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the CLI reaches agents' APIs: http or https (trusting the config's {@code api.tls.ca_file},
 * else the runtime's trust store), and the token to send with reads. The token goes in a header,
 * never in a URI, so it cannot reach a log line through an error message.
 *
 * @param readToken sent with GETs of the status documents: the read token, else the write token
 */
public record AgentAccess(String scheme, Optional<SSLContext> tls, Optional<Secret> readToken) {
  public static final AgentAccess PLAIN = new AgentAccess("http", Optional.empty(), Optional.empty());

  /** What a node's config says about its group's APIs (all agents of a group share the scheme). */
  public static AgentAccess of(ApiConfig api) throws IOException, GeneralSecurityException {
    Optional<SSLContext> context = Optional.empty();
    if (api.tls().isPresent() && api.tls().get().caFile().isPresent()) {
      context = Optional.of(PemFiles.trusting(api.tls().get().caFile().get()));
    }
    return new AgentAccess(api.scheme(), context, api.readToken().or(api::token));
  }

  public URI uri(HostPort agent, String pathAndQuery) {
    String host = agent.host();
    // An IPv6 literal needs brackets in a URI.
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create(scheme + "://" + host + ":" + agent.port() + pathAndQuery);
  }
}
