package dev.redisha.redis;

import dev.redisha.config.HostPort;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Every command the agent sends to change a Redis server. One connection, opened on first use and
 * dropped after a connection error so that the next call reconnects. Not thread-safe: the decision
 * loop is its only user.
 */
public final class RedisControl implements RedisCommands {
  private final RedisConnector connector;
  private final HostPort target;
  private final int timeoutMs;
  private Jedis jedis;

  public RedisControl(RedisConnector connector, HostPort target, int timeoutMs) {
    this.connector = connector;
    this.target = target;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public HostPort target() {
    return target;
  }

  @Override
  public RedisInfo info() {
    return call(j -> InfoParser.parse(j.info()));
  }

  @Override
  public String serverRunId() {
    return call(j -> InfoParser.parse(j.info("server")).runId());
  }

  /** {@code REPLICAOF NO ONE}: the replica keeps its data and accepts writes at once. */
  @Override
  public void promote() {
    call(Jedis::replicaofNoOne);
  }

  /**
   * Makes this Redis a replica of {@code master}. {@code masterauth} is set first (through the
   * connection, never a command line) so that the first sync attempt already authenticates; with
   * TLS, {@code tls-replication} too, since a TLS-only master refuses a plain replication link.
   */
  @Override
  public void replicateFrom(HostPort master) {
    call(
        j -> {
          connector.password().ifPresent(p -> j.configSet("masterauth", p.text()));
          connector.user().ifPresent(u -> j.configSet("masteruser", u));
          if (connector.usesTls()) {
            j.configSet("tls-replication", "yes");
          }
          return j.replicaof(master.host(), master.port());
        });
  }

  /**
   * Closes the connections of ordinary clients (not replicas, not this one), so clients that
   * still talk to a demoted node reconnect and find the new master through an endpoint.
   */
  @Override
  public long dropNormalClients() {
    return call(
        j ->
            j.clientKill(
                new ClientKillParams().type(ClientType.NORMAL).skipMe(ClientKillParams.SkipMe.YES)));
  }

  /** {@code CLIENT PAUSE ms WRITE}: reads go on, writes wait (Redis 6.2+). */
  @Override
  public void pauseWrites(long ms) {
    call(j -> j.clientPause(ms, ClientPauseMode.WRITE));
  }

  @Override
  public void unpause() {
    call(Jedis::clientUnpause);
  }

  /** {@code CONFIG SET save}: "" stops RDB snapshots; a BGSAVE already running goes on. */
  @Override
  public void setSave(String savePoints) {
    call(j -> j.configSet("save", savePoints));
  }

  /**
   * {@code CONFIG SET appendonly}. Turning it on starts an AOF rewrite (scheduled if a BGSAVE
   * runs); turning it off kills a running rewrite and cancels a scheduled one.
   */
  @Override
  public void setAppendOnly(boolean on, String appendFsync) {
    call(
        j -> {
          if (on) {
            j.configSet("appendfsync", appendFsync);
          }
          return j.configSet("appendonly", on ? "yes" : "no");
        });
  }

  /** The persistence settings now, read on this connection (so after this agent's own changes). */
  @Override
  public PersistenceSettings persistenceSettings() {
    return call(
        j -> new PersistenceSettings(
            j.configGet("save").getOrDefault("save", ""), "yes".equals(j.configGet("appendonly").get("appendonly"))));
  }

  /** The persistence children running now and the counters that tell whose they are. */
  @Override
  public BackgroundPersistence backgroundPersistence() {
    return call(j -> BackgroundPersistence.of(InfoParser.parse(j.info("persistence"))));
  }

  /** Settings the agent relies on whoever started the server (see RedisLaunch for why). */
  @Override
  public void tuneForFailover() {
    call(j -> j.configSet("repl-diskless-sync-delay", "0"));
  }

  /** Writes a snapshot now: a master that became the last copy must not wait for a save point. */
  @Override
  public void snapshotNow() {
    call(j -> {
      try {
        return j.bgsave();
      } catch (redis.clients.jedis.exceptions.JedisDataException alreadyRunning) {
        // "Background save already in progress" serves the same purpose.
        return "OK";
      }
    });
  }

  /** Whether this Redis writes RDB snapshots or an AOF now. */
  public boolean isPersisting() {
    return call(
        j -> {
          Map<String, String> save = j.configGet("save");
          Map<String, String> aof = j.configGet("appendonly");
          return !save.getOrDefault("save", "").isBlank() || "yes".equals(aof.get("appendonly"));
        });
  }

  /**
   * {@code SCRIPT KILL} or {@code FUNCTION KILL} ({@code kind} "SCRIPT" or "FUNCTION"), two of the
   * few commands a busy Redis answers. Returns the reply, an error's text included ("NOTBUSY ...",
   * "UNKILLABLE ...", "BUSY ... FUNCTION KILL ..."): each is an answer, not a failure.
   */
  @Override
  public String kill(String kind) {
    return call(j -> {
      try {
        Object reply = j.sendCommand(Protocol.Command.valueOf(kind), "KILL");
        return reply instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(reply);
      } catch (JedisDataException e) {
        return String.valueOf(e.getMessage());
      }
    });
  }

  /**
   * {@code SHUTDOWN NOSAVE}: the process exits without writing a snapshot, even while a script
   * runs (Redis accepts it when BUSY). Returns normally when the server closed the connection, as
   * it does on exit; an error reply is thrown.
   */
  @Override
  public void shutdownNoSave() {
    if (jedis == null) {
      jedis = connector.connect(target, timeoutMs);
    }
    try {
      jedis.sendCommand(Protocol.Command.SHUTDOWN, "NOSAVE");
    } catch (JedisConnectionException expected) {
      // The server went away while answering: that is what SHUTDOWN does.
    } finally {
      close();
    }
  }

  /** Sends a raw command (tests and the demo use this for reads). */
  public Object command(String name, String... args) {
    return call(j -> j.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode(name), args));
  }

  private interface Op<T> {
    T apply(Jedis j);
  }

  private <T> T call(Op<T> op) {
    if (jedis == null) {
      jedis = connector.connect(target, timeoutMs);
    }
    try {
      return op.apply(jedis);
    } catch (JedisConnectionException e) {
      close();
      throw e;
    }
  }

  @Override
  public void close() {
    if (jedis != null) {
      try {
        jedis.close();
      } catch (RuntimeException ignored) {
        // the connection is already broken; nothing else to release
      }
      jedis = null;
    }
  }
}
