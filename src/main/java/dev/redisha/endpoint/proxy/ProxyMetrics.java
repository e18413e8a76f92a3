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
    long closedWithoutMaster) {}
