package dev.redisha.redis;

import dev.redisha.config.HostPort;
import dev.redisha.config.PersistencePolicy;
import dev.redisha.config.Secret;
import dev.redisha.config.TlsConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How to start one redis-server. Turned into config-file lines that are written to the process's
 * standard input ({@code redis-server -}), so the password never shows on a command line.
 *
 * @param replicaOf start as a replica of this server; a managed Redis always starts as a replica
 *     when the group has another node, so a restarted empty server never comes up as a master
 * @param persistence empty means no RDB and no AOF
 * @param user an ACL user for the agent and for replication (all commands, all keys), besides the
 *     default user that {@code password} protects
 * @param tls serve TLS only, on the listen port, and replicate over TLS, with the node's own
 *     certificate (which then needs a certificate and its key)
 */
public record RedisLaunch(
    HostPort listen,
    Path dataDir,
    Optional<Secret> password,
    Optional<HostPort> replicaOf,
    Optional<PersistencePolicy> persistence,
    List<String> extraArgs,
    Optional<String> user,
    Optional<TlsConfig> tls) {

  public RedisLaunch {
    extraArgs = List.copyOf(extraArgs);
    if (tls.isPresent() && (tls.get().certFile().isEmpty() || tls.get().keyFile().isEmpty())) {
      throw new IllegalArgumentException("a TLS redis-server needs its certificate and key");
    }
  }

  /** Without an ACL user or TLS. */
  public RedisLaunch(HostPort listen, Path dataDir, Optional<Secret> password, Optional<HostPort> replicaOf,
      Optional<PersistencePolicy> persistence, List<String> extraArgs) {
    this(listen, dataDir, password, replicaOf, persistence, extraArgs, Optional.empty(), Optional.empty());
  }

  List<String> configLines() {
    List<String> lines = new ArrayList<>();
    if (tls.isPresent()) {
      TlsConfig t = tls.get();
      // TLS only: a plain port beside it would let clients bypass TLS.
      lines.add("port 0");
      lines.add("tls-port " + listen.port());
      lines.add("tls-cert-file " + quote(t.certFile().orElseThrow().toAbsolutePath().toString()));
      lines.add("tls-key-file " + quote(t.keyFile().orElseThrow().toAbsolutePath().toString()));
      lines.add("tls-ca-cert-file " + quote(t.caFile().toAbsolutePath().toString()));
      // The replica's link to its master is TLS too, authenticated by the same certificate.
      lines.add("tls-replication yes");
    } else {
      lines.add("port " + listen.port());
    }
    lines.add("bind " + listen.host());
    lines.add("dir " + quote(dataDir.toAbsolutePath().toString()));
    lines.add("daemonize no");
    lines.add("logfile \"\"");
    // Redis 7 waits 5 s before a diskless full sync in case more replicas come; with one or two
    // replicas that only delays the moment the data exists twice.
    lines.add("repl-diskless-sync-delay 0");
    password.ifPresent(
        p -> {
          lines.add("requirepass " + quote(p.text()));
          lines.add("masterauth " + quote(p.text()));
        });
    user.ifPresent(
        u -> {
          // The agent's own user: it runs INFO, REPLICAOF, CONFIG SET, CLIENT KILL, FAILOVER.
          lines.add("user " + u + " on " + password.map(p -> quote(">" + p.text())).orElse("nopass")
              + " ~* &* +@all");
          lines.add("masteruser " + u);
        });
    replicaOf.ifPresent(m -> lines.add("replicaof " + m.host() + " " + m.port()));
    if (persistence.isPresent()) {
      PersistencePolicy p = persistence.get();
      lines.add("save " + quote(p.save()));
      lines.add("appendonly " + (p.appendOnly() ? "yes" : "no"));
      lines.add("appendfsync " + p.appendFsync());
    } else {
      lines.add("save \"\"");
      lines.add("appendonly no");
    }
    StringBuilder current = null;
    for (String arg : extraArgs) {
      if (arg.startsWith("--")) {
        if (current != null) {
          lines.add(current.toString());
        }
        current = new StringBuilder(arg.substring(2));
      } else if (current != null) {
        current.append(' ').append(quote(arg));
      }
    }
    if (current != null) {
      lines.add(current.toString());
    }
    return lines;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
