package dev.redisha.config;

import java.nio.file.Path;
import java.util.Optional;

/** TLS towards Redis. A CA file is required; client certificate and key are optional (mTLS). */
public record TlsConfig(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) {}
