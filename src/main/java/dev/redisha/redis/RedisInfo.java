package dev.redisha.redis;

import java.util.List;
import java.util.Map;

/**
 * The parts of {@code INFO} the agent acts on. Offsets are {@code master_repl_offset}, which on a
 * replica is the offset it has processed from its master.
 *
 * @param masterLinkUp for a replica, {@code master_link_status:up}; false on a master
 * @param masterSyncInProgress a replica in the middle of a full sync holds no usable dataset yet
 */
public record RedisInfo(
    String runId,
    String role,
    String replId,
    long replOffset,
    String masterHost,
    int masterPort,
    boolean masterLinkUp,
    boolean masterSyncInProgress,
    List<ConnectedReplica> replicas,
    long keys,
    boolean loading,
    Map<String, String> raw) {

  public RedisInfo {
    replicas = List.copyOf(replicas);
    raw = Map.copyOf(raw);
  }

  public boolean isMaster() {
    return "master".equals(role);
  }

  /**
   * A replica as its master lists it ({@code slaveN:ip=..,port=..,state=..,offset=..,lag=..}); lag
   * is the seconds since its last ack, for {@code redisha_replica_lag_seconds}.
   */
  public record ConnectedReplica(String ip, int port, String state, long offset, long lagSeconds) {
    public boolean online() {
      return "online".equals(state);
    }
  }
}
