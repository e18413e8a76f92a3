package dev.redisha.coordination;

import dev.redisha.config.HostPort;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisInfo;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DESIGN rule 1, no empty master: keeps {@link DurableState#dataEpoch()} true, i.e. which epoch's
 * complete data the local Redis holds. A run id change while not persisting means the server came
 * back empty (claim -1); a server that restarted from disk holds only what it saved, so it stays
 * "restarted" until the policy finds no better copy ({@link #keptAfterRestart()}). The claim
 * becomes current as the epoch's master with data, as a linked replica of the epoch's master, or
 * by lineage (the local Redis carries the replication id the epoch's master had while healthy).
 */
public final class DataClaim {
  private static final Logger log = LoggerFactory.getLogger(DataClaim.class);
  private final String me;
  private final Function<String, HostPort> redisOf;
  /** The run id the epoch master advertised while it served; its Redis is judged against it. */
  private String servingRunId = "";
  private String servingRunIdOf = "";
  /**
   * The replication id the master of {@link #lineageEpoch} published while it was healthy with
   * that epoch's data: a Redis with the same id holds that data, up to its own offset.
   */
  private String lineageReplId = "";
  private long lineageEpoch = -1;
  private boolean restartedSinceData;
  private String lastRunId = "";
  /** When this node's Redis was last seen restarted (run id changed). */
  private long restartSeenAt = Long.MIN_VALUE / 2;

  /** @param redisOf the Redis address of a node of the group */
  public DataClaim(String me, Function<String, HostPort> redisOf) {
    this.me = me;
    this.redisOf = redisOf;
  }

  /** Notes what the epoch's master publishes while it serves: its run id and replication id. */
  public void noteLineage(DurableState st, Map<String, MemberReport> alive) {
    if (!st.epochMaster().equals(servingRunIdOf)) {
      servingRunId = "";
      servingRunIdOf = st.epochMaster();
    }
    MemberReport r = alive.get(st.epochMaster());
    MemberStatus m = r == null ? null : r.status();
    if (m != null && m.isHealthyMaster() && m.epoch() == st.epoch()) {
      servingRunId = m.redisRunId();
    }
    if (m != null && m.isHealthyMaster() && m.epoch() == st.epoch() && m.dataEpoch() == st.epoch()
        && !m.replId().isEmpty()) {
      lineageReplId = m.replId();
      lineageEpoch = st.epoch();
    }
  }

  /** The state with the claim brought up to date with the local Redis ({@code st} if unchanged). */
  public DurableState update(DurableState st, RedisHealth h, Map<String, MemberReport> alive, long now) {
    if (!h.up()) {
      return st;
    }
    RedisInfo info = h.info().orElseThrow();
    DurableState next = st;
    if (!st.dataRunId().isEmpty() && !info.runId().equals(st.dataRunId())) {
      // Redis restarted. A server that was not persisting came back empty (or with an old file).
      next = next.withData(st.persisting() ? st.dataEpoch() : -1, info.runId(), h.persisting());
      restartedSinceData = true;
      restartSeenAt = now;
    } else if (st.dataRunId().isEmpty()) {
      next = next.withData(st.dataEpoch(), info.runId(), h.persisting());
      restartedSinceData = !lastRunId.isEmpty();
    }
    lastRunId = info.runId();
    String master = next.epochMaster();
    // Master of this epoch with a server that holds data and did not restart: its data is the
    // epoch's data (this also covers an epoch adopted from a peer that handed over to us). A
    // restarted server only becomes current once the policy has found no better copy.
    boolean currentAsMaster = me.equals(master) && info.isMaster() && next.dataEpoch() >= 0 && !restartedSinceData;
    MemberReport r = alive.get(master);
    boolean currentAsReplica = r != null
        && !info.isMaster()
        && info.masterLinkUp()
        && !info.masterSyncInProgress()
        && redisOf.apply(master).equals(new HostPort(info.masterHost(), info.masterPort()))
        && r.status().epoch() == next.epoch()
        && r.status().dataEpoch() == next.epoch();
    // A replica whose Redis carries the epoch master's replication id holds that epoch's data (up
    // to its offset), even if the master died before this node's next probe saw the link up:
    // the full sync finished (the id is only adopted then) and nothing else writes to it.
    boolean currentByLineage = !me.equals(master)
        && !info.isMaster()
        && !info.masterSyncInProgress()
        && lineageEpoch == next.epoch()
        && info.replId().equals(lineageReplId)
        && next.dataEpoch() < next.epoch();
    if (currentByLineage) {
      log.info("[{}] my Redis holds {}'s epoch {} data (its replication id, offset {})", me, master, next.epoch(),
          info.replOffset());
    }
    if (currentAsMaster || currentAsReplica || currentByLineage) {
      next = next.withData(next.epoch(), info.runId(), h.persisting());
      restartedSinceData = false;
    } else if (next.persisting() != h.persisting() && next.dataEpoch() >= 0 && !restartedSinceData) {
      next = next.withData(next.dataEpoch(), next.dataRunId(), h.persisting());
    }
    if (!next.equals(st) && (next.dataEpoch() != st.dataEpoch() || !next.dataRunId().equals(st.dataRunId()))) {
      log.info("[{}] data claim: epoch {} -> {} (run id {}, persisting {}{})", me, st.dataEpoch(), next.dataEpoch(),
          abbrev(next.dataRunId()), next.persisting(), restartedSinceData ? ", Redis restarted" : "");
    }
    return next;
  }

  /** Whether the local Redis restarted since its claim was last confirmed (it holds only what it saved). */
  public boolean restartedSinceData() {
    return restartedSinceData;
  }

  /** The restarted server's data is the group's (no better copy), or the role was handed over. */
  public void keptAfterRestart() {
    restartedSinceData = false;
  }

  public long restartSeenAt() {
    return restartSeenAt;
  }

  /** The run id the epoch's master published while serving in this run, "" if never heard serve. */
  public String servingRunId() {
    return servingRunId;
  }

  private static String abbrev(String runId) {
    return runId.length() > 8 ? runId.substring(0, 8) : runId;
  }
}
