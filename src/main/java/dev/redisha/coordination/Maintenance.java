package dev.redisha.coordination;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;

/**
 * The group's maintenance record (DESIGN §6: no automatic failover while paused; a scheduled
 * switchover), as one agent last set it. Every agent carries the newest one it knows in its
 * adverts and keeps it on disk, so a pause or a schedule set on one agent reaches all of them and
 * survives their restarts.
 *
 * @param paused whether automatic failover and failback are off
 * @param version grows with every change (pause, resume, schedule, cancel, run); the highest
 *     version wins, ties by the other fields (so two agents that changed it at once agree)
 * @param by the node whose agent took the last pause or resume
 * @param atMillis wall-clock time of that pause or resume (for people; no decision reads it)
 * @param scheduledTo the target of a scheduled switchover, "" when none is scheduled
 * @param scheduledAtMillis when it is due (wall clock, ms since the epoch; 0 when none)
 * @param scheduledBy the node whose agent took the schedule, its cancel or ran it
 * @param lastScheduleOutcome what became of the last scheduled switchover ("" while none ran):
 *     "ran at ...: handing over to b" or "refused at ...: b is not an in-sync replica ..."
 */
public record Maintenance(
    boolean paused, long version, String by, long atMillis, String scheduledTo, long scheduledAtMillis,
    String scheduledBy, String lastScheduleOutcome) {
  public static final Maintenance NONE = new Maintenance(false, 0, "", 0);
  static final int MAX_OUTCOME_CHARS = 240;

  /** Any two states of one version are ordered, so every agent keeps the same one. */
  private static final Comparator<Maintenance> TIE = Comparator.comparing(Maintenance::by)
      .thenComparing(Maintenance::scheduledBy)
      .thenComparingLong(Maintenance::scheduledAtMillis)
      .thenComparing(Maintenance::scheduledTo)
      .thenComparing(Maintenance::lastScheduleOutcome)
      .thenComparing(Maintenance::paused)
      .thenComparingLong(Maintenance::atMillis);

  @JsonCreator
  public Maintenance(
      @JsonProperty("paused") boolean paused,
      @JsonProperty("version") long version,
      @JsonProperty("by") String by,
      @JsonProperty("atMillis") long atMillis,
      @JsonProperty("scheduledTo") String scheduledTo,
      @JsonProperty("scheduledAtMillis") long scheduledAtMillis,
      @JsonProperty("scheduledBy") String scheduledBy,
      @JsonProperty("lastScheduleOutcome") String lastScheduleOutcome) {
    this.paused = paused;
    this.version = version;
    this.by = by == null ? "" : by;
    this.atMillis = atMillis;
    // A state file or advert from before schedules existed has none.
    this.scheduledTo = scheduledTo == null ? "" : scheduledTo;
    this.scheduledAtMillis = this.scheduledTo.isEmpty() ? 0 : scheduledAtMillis;
    this.scheduledBy = scheduledBy == null ? "" : scheduledBy;
    this.lastScheduleOutcome = lastScheduleOutcome == null ? "" : lastScheduleOutcome;
  }

  /** Without a schedule (pause only, as before schedules existed). */
  public Maintenance(boolean paused, long version, String by, long atMillis) {
    this(paused, version, by, atMillis, "", 0, "", "");
  }

  /** Whether this state replaces {@code other}: a later version, or the same one ordered after it. */
  public boolean newerThan(Maintenance other) {
    return version > other.version || (version == other.version && TIE.compare(this, other) > 0);
  }

  /** The next state after an operator's pause or resume taken by node {@code node}; a schedule stays. */
  public Maintenance next(boolean pause, String node, long nowMillis) {
    return new Maintenance(pause, version + 1, node, nowMillis, scheduledTo, scheduledAtMillis, scheduledBy,
        lastScheduleOutcome);
  }

  public boolean scheduled() {
    return !scheduledTo.isEmpty();
  }

  /** The next state with a switchover to {@code to} due at {@code dueMillis}, taken by {@code node}. */
  public Maintenance schedule(String to, long dueMillis, String node) {
    return new Maintenance(paused, version + 1, by, atMillis, to, dueMillis, node, lastScheduleOutcome);
  }

  /**
   * The next state without the schedule, with what became of it ({@code outcome}, "" keeps the
   * last one: a cancel is not an outcome of a run).
   */
  public Maintenance unscheduled(String node, String outcome) {
    // An advert is at most 1200 bytes: a long refusal sentence is cut, the event log keeps it whole.
    String kept = outcome.isEmpty() ? lastScheduleOutcome
        : outcome.length() > MAX_OUTCOME_CHARS ? outcome.substring(0, MAX_OUTCOME_CHARS - 3) + "..." : outcome;
    return new Maintenance(paused, version + 1, by, atMillis, "", 0, node, kept);
  }

  /** "switchover to b at 2026-12-02T10:30:00Z", "" when none is scheduled. */
  public String describeSchedule() {
    return scheduled() ? "switchover to " + scheduledTo + " at " + instant(scheduledAtMillis) : "";
  }

  /** An ISO-8601 instant to the second, as status shows times. */
  public static String instant(long millis) {
    return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
