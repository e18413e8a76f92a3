package dev.redisha.control;

import dev.redisha.config.HostPort;
import dev.redisha.redis.BackgroundPersistence;
import dev.redisha.redis.PersistenceSettings;
import dev.redisha.redis.RedisCommands;
import dev.redisha.redis.RedisDialer;
import dev.redisha.redis.RedisInfo;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A Redis server that only keeps the replication state the controller's steps look at (role,
 * master, offset) and writes every command it receives to a {@link Journal}. For the order of
 * the steps only: what Redis does with them is tested against real servers elsewhere.
 */
final class RecordingRedis implements RedisCommands {
  /** The servers of one test by address; a connection to any other address is refused. */
  static final class Servers implements RedisDialer {
    private final Journal journal;
    private final Map<HostPort, RecordingRedis> byAddress = new LinkedHashMap<>();

    Servers(Journal journal) {
      this.journal = journal;
    }

    RecordingRedis master(String name, HostPort address, long offset) {
      return add(new RecordingRedis(this, name, address, null, offset));
    }

    RecordingRedis replica(String name, HostPort address, HostPort master, long offset) {
      return add(new RecordingRedis(this, name, address, master, offset));
    }

    private RecordingRedis add(RecordingRedis r) {
      byAddress.put(r.address, r);
      return r;
    }

    String nameOf(HostPort address) {
      RecordingRedis r = byAddress.get(address);
      return r == null ? address.toString() : r.name;
    }

    @Override
    public RedisCommands open(HostPort target, int timeoutMs) {
      RecordingRedis r = byAddress.get(target);
      if (r == null) {
        throw new IllegalStateException("no test server at " + target);
      }
      return r;
    }
  }

  private final Servers servers;
  private final String name;
  private final HostPort address;
  /** Null while a master. */
  private HostPort master;
  private long offset;
  /** Offsets INFO reports before {@link #offset}, one per INFO: a replica still catching up. */
  private final Deque<Long> catchingUp = new ArrayDeque<>();
  /** Command prefix to the failure it meets (the command is journaled first, then fails). */
  private final Map<String, Supplier<RuntimeException>> failures = new LinkedHashMap<>();
  private boolean refusing;

  private RecordingRedis(Servers servers, String name, HostPort address, HostPort master, long offset) {
    this.servers = servers;
    this.name = name;
    this.address = address;
    this.master = master;
    this.offset = offset;
  }

  /** INFO reports these offsets first, one per call, then the server's own offset. */
  RecordingRedis catchingUpThrough(long... offsets) {
    for (long o : offsets) {
      catchingUp.add(o);
    }
    return this;
  }

  RecordingRedis failing(String commandPrefix, Supplier<RuntimeException> failure) {
    failures.put(commandPrefix, failure);
    return this;
  }

  /** Every connection is refused, as by a crashed server. */
  RecordingRedis refusing() {
    refusing = true;
    return this;
  }

  RedisInfo currentInfo() {
    long shown = catchingUp.isEmpty() ? offset : catchingUp.peek();
    return new RedisInfo("run-" + name, master == null ? "master" : "slave", "repl-1", shown,
        master == null ? "" : master.host(), master == null ? 0 : master.port(), master != null, false,
        List.of(), 10, false, Map.of());
  }

  private void command(String line) {
    servers.journal.add(name + ": " + line);
    if (refusing) {
      throw new JedisConnectionException("Connection refused");
    }
    for (Map.Entry<String, Supplier<RuntimeException>> f : failures.entrySet()) {
      if (line.startsWith(f.getKey())) {
        throw f.getValue().get();
      }
    }
  }

  @Override
  public HostPort target() {
    return address;
  }

  @Override
  public RedisInfo info() {
    command("INFO");
    RedisInfo info = currentInfo();
    catchingUp.poll();
    servers.journal.add(name + ": offset " + info.replOffset());
    return info;
  }

  @Override
  public String serverRunId() {
    command("INFO server");
    return "run-" + name;
  }

  @Override
  public void promote() {
    command("REPLICAOF NO ONE");
    master = null;
  }

  @Override
  public void replicateFrom(HostPort newMaster) {
    command("REPLICAOF " + servers.nameOf(newMaster));
    master = newMaster;
  }

  @Override
  public long dropNormalClients() {
    command("CLIENT KILL");
    return 0;
  }

  @Override
  public void pauseWrites(long ms) {
    command("CLIENT PAUSE WRITE");
  }

  @Override
  public void unpause() {
    command("CLIENT UNPAUSE");
  }

  @Override
  public void setSave(String savePoints) {
    command("CONFIG SET save");
  }

  @Override
  public void setAppendOnly(boolean on, String appendFsync) {
    command("CONFIG SET appendonly");
  }

  @Override
  public PersistenceSettings persistenceSettings() {
    command("CONFIG GET save appendonly");
    return new PersistenceSettings("", false);
  }

  @Override
  public BackgroundPersistence backgroundPersistence() {
    throw new UnsupportedOperationException("not needed by these tests");
  }

  @Override
  public void tuneForFailover() {
    command("CONFIG SET repl-diskless-sync-delay");
  }

  @Override
  public void snapshotNow() {
    command("BGSAVE");
  }

  @Override
  public String kill(String kind) {
    command(kind + " KILL");
    return "NOTBUSY No scripts in execution right now.";
  }

  @Override
  public void shutdownNoSave() {
    command("SHUTDOWN NOSAVE");
  }

  @Override
  public void close() {
    // one server object stands for all its connections
  }
}
