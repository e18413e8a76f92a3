package dev.redisha.redis;

import dev.redisha.config.HostPort;

/**
 * The commands the controller and its steps (fence, planned switchover, persistence, busy-script
 * policy) send to a Redis server, and nothing else, so that the order of those steps can be
 * tested against a recording fake as well as against real servers. {@link RedisControl} is the
 * real one. One connection per instance, not thread-safe: the decision loop is its only user.
 */
public interface RedisCommands extends AutoCloseable {
  HostPort target();

  RedisInfo info();

  /** The run id from {@code INFO server}: who answers at this address now. */
  String serverRunId();

  /** {@code REPLICAOF NO ONE}. */
  void promote();

  /** {@code REPLICAOF host port}, with the replication credentials set first. */
  void replicateFrom(HostPort master);

  /** {@code CLIENT KILL TYPE normal SKIPME yes}; returns how many were closed. */
  long dropNormalClients();

  /** {@code CLIENT PAUSE ms WRITE}. */
  void pauseWrites(long ms);

  /** {@code CLIENT UNPAUSE}. */
  void unpause();

  void setSave(String savePoints);

  void setAppendOnly(boolean on, String appendFsync);

  PersistenceSettings persistenceSettings();

  BackgroundPersistence backgroundPersistence();

  void tuneForFailover();

  void snapshotNow();

  /** {@code SCRIPT KILL} or {@code FUNCTION KILL}; an error reply is returned as text. */
  String kill(String kind);

  /** {@code SHUTDOWN NOSAVE}; returns normally when the server closed the connection. */
  void shutdownNoSave();

  @Override
  void close();
}
