package dev.redisha.coordination;

/**
 * What an agent must remember across restarts (DESIGN §4: epochs are kept on disk).
 *
 * @param epoch highest epoch known
 * @param epochMaster master of that epoch ("" if none)
 * @param dataEpoch the epoch whose complete data the local Redis held last, -1 if none
 * @param dataRunId run id of the local Redis when dataEpoch was recorded; a different run id later
 *     means Redis restarted
 * @param persisting whether the local Redis was persisting then: a restarted Redis that was not
 *     persisting came back empty
 */
public record DurableState(
    long epoch, String epochMaster, long dataEpoch, String dataRunId, boolean persisting) {

  public static DurableState fresh() {
    return new DurableState(0, "", -1, "", false);
  }

  public DurableState withEpoch(long e, String master) {
    return new DurableState(e, master, dataEpoch, dataRunId, persisting);
  }

  public DurableState withData(long dEpoch, String runId, boolean persist) {
    return new DurableState(epoch, epochMaster, dEpoch, runId, persist);
  }
}
