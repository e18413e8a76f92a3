package dev.redisha.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP API. Write operations need {@code token}. Reads of the status documents ({@code /status},
 * {@code /cluster}, {@code /history}, {@code /metrics}) need no token unless {@code readToken} is
 * set; then either token reads. The health checks for load balancers never need one.
 *
 * @param token the write token (also allows reads)
 * @param readToken a token that allows reads only; when set, reads without a token are refused
 * @param tls when present the API speaks HTTPS only
 */
public record ApiConfig(HostPort listen, Optional<Secret> token, Optional<Secret> readToken, Optional<ApiTlsConfig> tls) {

  public ApiConfig {
    Objects.requireNonNull(listen, "listen");
    token = token == null ? Optional.empty() : token;
    readToken = readToken == null ? Optional.empty() : readToken;
    tls = tls == null ? Optional.empty() : tls;
  }

  /** Plain HTTP, reads open (as before the read token and TLS existed). */
  public ApiConfig(HostPort listen, Optional<Secret> token) {
    this(listen, token, Optional.empty(), Optional.empty());
  }

  /** "https" or "http": how the CLI must address this API and its peers'. */
  public String scheme() {
    return tls.isPresent() ? "https" : "http";
  }
}
