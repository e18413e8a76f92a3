package dev.redisha.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * HTTPS for the agent's API (section {@code api.tls}).
 *
 * @param certFile PEM certificate chain the API presents, leaf first
 * @param keyFile PEM private key of the leaf certificate (unencrypted PKCS#8, RSA or EC)
 * @param caFile PEM CA certificates the CLI trusts when it talks to agents' APIs; absent: the
 *     Java runtime's default trust store
 */
public record ApiTlsConfig(Path certFile, Path keyFile, Optional<Path> caFile) {}
