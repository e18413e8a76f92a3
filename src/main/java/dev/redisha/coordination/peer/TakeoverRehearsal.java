package dev.redisha.coordination.peer;

import dev.redisha.config.NodeConfig;
import dev.redisha.config.PeerConfig;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Decision;
import dev.redisha.coordination.DurableState;
import dev.redisha.coordination.Maintenance;
import dev.redisha.coordination.MemberStatus;
import dev.redisha.coordination.StateStore;
import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.RedisHealth;
import dev.redisha.redis.RedisInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Walks a throwaway election, in memory, through the two takeovers the agent exists for (the
 * master's Redis refuses connections; the master's host goes silent) and the first decisions as
 * master afterwards. Nothing is sent, written or logged by it.
 *
 * <p>Why: the first takeover in an agent's life was its slowest step. Measured in bench/netns, the
 * policy's takeover decision took 19–90 ms of wall time (6–13 ms of CPU) against under 1 ms for
 * every later one: its code had never run, so its classes were loaded, its lambdas linked and its
 * bytecode interpreted, one by one, mid-failover, on a busy host. Running the same code once at
 * start-up pays that cost when nothing is waiting on it.
 */
public final class TakeoverRehearsal {
  private static final String MY_RUN = "rehearsal-replica-run";
  private static final String THEIR_RUN = "rehearsal-master-run";
  private static final long EPOCH = 5;

  /** What the rehearsal decided, step by step; the tests check that the steps still reach a takeover. */
  public record Outcome(List<Decision> crash, List<Decision> silence, long nanos) {
    public boolean tookOverTwice() {
      return crash.stream().anyMatch(Decision::takeover) && silence.stream().anyMatch(Decision::takeover);
    }
  }

  private TakeoverRehearsal() {}

  /** @return empty when the group has no peer to take over from */
  public static Optional<Outcome> run(NodeConfig config) {
    if (config.peers().isEmpty()) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    PeerConfig master = config.peers().get(0);
    List<Decision> crash = crash(config, master);
    List<Decision> silence = silence(config, master);
    return Optional.of(new Outcome(crash, silence, System.nanoTime() - start));
  }

  /** Its agent still reports MASTER while its Redis refuses connections. */
  private static List<Decision> crash(NodeConfig config, PeerConfig master) {
    long now = 1_000_000;
    MasterElection e = election(config, now);
    Map<String, PeerReport> heard = Map.of(master.nodeId(), new PeerReport(masterAdvert(config, master), now));
    Decision following = e.decide(replicaOf(master), heard, Map.of(master.nodeId(), answers(master, now)), now);
    now += config.coordination().advertIntervalMs();
    heard = Map.of(master.nodeId(), new PeerReport(masterAdvert(config, master), now));
    Decision takeover = e.decide(replicaOf(master), heard, Map.of(master.nodeId(), refused(master, now)), now);
    return List.of(following, takeover, asMaster(config, e, master, takeover, heard, refused(master, now), now));
  }

  /** Neither its agent nor its Redis answers: the host is gone. */
  private static List<Decision> silence(NodeConfig config, PeerConfig master) {
    long now = 1_000_000;
    MasterElection e = election(config, now);
    PeerReport last = new PeerReport(masterAdvert(config, master), now);
    Decision following = e.decide(replicaOf(master), Map.of(master.nodeId(), last),
        Map.of(master.nodeId(), answers(master, now)), now);
    // Past the down time and any priority skew: the longest a silent master is waited for.
    now += config.coordination().advertIntervalMs() * (config.coordination().downAfterAdverts() + 2L);
    PeerRedisProbe gone = new PeerRedisProbe(master.nodeId(), master.redis(), PeerRedisProbe.Outcome.NO_ANSWER,
        Optional.empty(), 3, now - 300, -1, now, "rehearsal: no answer");
    Map<String, PeerReport> heard = Map.of(master.nodeId(), last);
    Decision takeover = e.decide(replicaOf(master), heard, Map.of(master.nodeId(), gone), now);
    return List.of(following, takeover, asMaster(config, e, master, takeover, heard, gone, now));
  }

  private static Decision asMaster(NodeConfig config, MasterElection e, PeerConfig master, Decision takeover,
      Map<String, PeerReport> heard, PeerRedisProbe probe, long now) {
    if (!takeover.takeover() || !e.commitTakeover(takeover, replicaOf(master), now)) {
      return takeover;
    }
    now += config.health().intervalMs() + config.health().timeoutMs() + 1;
    return e.decide(ownMaster(), heard, Map.of(probe.nodeId(), probe), now);
  }

  private static MasterElection election(NodeConfig config, long now) {
    StateStore memory = new InMemory(new DurableState(EPOCH, config.peers().get(0).nodeId(), EPOCH, MY_RUN, true));
    return new MasterElection(config, memory, now, status -> {}, () -> 0L);
  }

  private static Advert masterAdvert(NodeConfig config, PeerConfig master) {
    MemberStatus s = new MemberStatus(master.nodeId(), EPOCH, master.nodeId(), AgentState.MASTER, 100, true,
        THEIR_RUN, "master", "rehearsal-replid", 1_000, false, EPOCH, 10, false, false, "", false, Maintenance.NONE);
    return Advert.of(config.group(), s);
  }

  /** This node's Redis following {@code master}. */
  private static RedisHealth replicaOf(PeerConfig master) {
    RedisInfo info = new RedisInfo(MY_RUN, "slave", "rehearsal-replid", 1_000, master.redis().host(),
        master.redis().port(), true, false, List.of(), 10, false, Map.of());
    return new RedisHealth(RedisHealth.Status.UP, "", Optional.of(info), true, 0);
  }

  private static RedisHealth ownMaster() {
    RedisInfo info = new RedisInfo(MY_RUN, "master", "rehearsal-replid-2", 1_000, "", 0, false, false, List.of(), 10,
        false, Map.of());
    return new RedisHealth(RedisHealth.Status.UP, "", Optional.of(info), true, Long.MAX_VALUE / 4);
  }

  private static PeerRedisProbe answers(PeerConfig master, long now) {
    RedisInfo info = new RedisInfo(THEIR_RUN, "master", "rehearsal-replid", 1_000, "", 0, false, false, List.of(), 10,
        false, Map.of());
    return new PeerRedisProbe(master.nodeId(), master.redis(), PeerRedisProbe.Outcome.ANSWERS, Optional.of(info), 0,
        now, -1, now, "");
  }

  private static PeerRedisProbe refused(PeerConfig master, long now) {
    return new PeerRedisProbe(master.nodeId(), master.redis(), PeerRedisProbe.Outcome.REFUSED, Optional.empty(), 1,
        now - 50, -1, now, "rehearsal: connection refused");
  }

  /** The state file of a node that never existed: the real one is not read or written. */
  private static final class InMemory implements StateStore {
    private DurableState state;

    InMemory(DurableState initial) {
      state = initial;
    }

    @Override
    public DurableState load() {
      return state;
    }

    @Override
    public void save(DurableState next) {
      state = next;
    }
  }
}
