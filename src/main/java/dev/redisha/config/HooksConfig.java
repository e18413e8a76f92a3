package dev.redisha.config;

import java.nio.file.Path;
import java.util.Optional;

/** keepalived-style notify scripts, each run with a timeout; none may block a failover. */
public record HooksConfig(
    Optional<Path> notifyMaster,
    Optional<Path> notifyBackup,
    Optional<Path> notifyFault,
    Optional<Path> notifyStop,
    long timeoutMs) {}
