package dev.redisha.config;

import java.util.Optional;

/** The HTTP API. Write operations need the token; reads do not. */
public record ApiConfig(HostPort listen, Optional<Secret> token) {}
