package dev.redisha.coordination;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

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
 * @param maintenance the group's maintenance state as last known, so an agent restarted during
 *     maintenance comes back paused
 */
public record DurableState(
    long epoch, String epochMaster, long dataEpoch, String dataRunId, boolean persisting, Maintenance maintenance) {

  @JsonCreator
  public DurableState(
      @JsonProperty("epoch") long epoch,
      @JsonProperty("epochMaster") String epochMaster,
      @JsonProperty("dataEpoch") long dataEpoch,
      @JsonProperty("dataRunId") String dataRunId,
      @JsonProperty("persisting") boolean persisting,
      @JsonProperty("maintenance") Maintenance maintenance) {
    this.epoch = epoch;
    this.epochMaster = epochMaster == null ? "" : epochMaster;
    this.dataEpoch = dataEpoch;
    this.dataRunId = dataRunId == null ? "" : dataRunId;
    this.persisting = persisting;
    // A file written before maintenance was kept on disk has none: not paused.
    this.maintenance = maintenance == null ? Maintenance.NONE : maintenance;
  }

  public DurableState(long epoch, String epochMaster, long dataEpoch, String dataRunId, boolean persisting) {
    this(epoch, epochMaster, dataEpoch, dataRunId, persisting, Maintenance.NONE);
  }

  public static DurableState fresh() {
    return new DurableState(0, "", -1, "", false);
  }

  public DurableState withEpoch(long e, String master) {
    return new DurableState(e, master, dataEpoch, dataRunId, persisting, maintenance);
  }

  public DurableState withData(long dEpoch, String runId, boolean persist) {
    return new DurableState(epoch, epochMaster, dEpoch, runId, persist, maintenance);
  }

  public DurableState withMaintenance(Maintenance m) {
    return new DurableState(epoch, epochMaster, dataEpoch, dataRunId, persisting, m);
  }
}
