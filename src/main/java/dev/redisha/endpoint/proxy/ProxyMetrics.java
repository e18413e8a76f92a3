package dev.redisha.endpoint.proxy;

/**
 * A snapshot of the proxy's counters.
 *
 * @param connections client connections open now
 * @param accepted client connections accepted since start
 * @param closedOnMasterChange client connections closed because the master changed (on a crash
 *     failover all of them; on a switchover those that could not be moved)
 * @param movedOnSwitchover client connections moved to a new master without the client noticing
 * @param heldNow client connections not being read now: held for a switchover or waiting for a
 *     master
 * @param closedWithoutMaster clients closed because no master appeared while they waited
 */
public record ProxyMetrics(
    int connections,
    long accepted,
    long closedOnMasterChange,
    long movedOnSwitchover,
    int heldNow,
    long closedWithoutMaster,
    long closedUnauthenticated,
    long closedIdle,
    long bytesFromClients,
    long bytesToClients,
    long upstreamErrors) {

  /**
   * @param closedUnauthenticated clients closed for not authenticating in time
   * @param closedIdle clients closed for idling past the idle timeout
   * @param bytesFromClients bytes read from clients (relayed to the master or held)
   * @param bytesToClients bytes the master sent that were relayed to clients
   * @param upstreamErrors connections to the master that could not be opened or broke with an error
   */
  public ProxyMetrics(int connections, long accepted, long closedOnMasterChange, long movedOnSwitchover, int heldNow,
      long closedWithoutMaster) {
    this(connections, accepted, closedOnMasterChange, movedOnSwitchover, heldNow, closedWithoutMaster, 0, 0, 0, 0, 0);
  }
}
