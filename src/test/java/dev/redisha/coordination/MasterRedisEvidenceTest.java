package dev.redisha.coordination;

import static dev.redisha.coordination.PolicyFixture.master;
import static dev.redisha.coordination.PolicyFixture.redisOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.health.PeerRedisProbe;
import dev.redisha.health.PeerRedisProbe.Outcome;
import dev.redisha.redis.RedisInfo;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What one probe of the master's Redis is worth (DESIGN §4): a refused connection and a host that
 * neither answers nor completes a TCP handshake are evidence at once; a busy Redis is alive; a
 * slow or frozen one (its kernel still completes the handshake: NO_ANSWER) is evidence only after
 * {@link MasterRedisEvidence#NO_ANSWER_PROBES} probes in a row.
 */
class MasterRedisEvidenceTest {
  private final RedisInfo healthy = master("run-a", 1_000);

  private static PeerRedisProbe probe(Outcome outcome, Optional<RedisInfo> info, int failuresInRow) {
    return new PeerRedisProbe("a", redisOf("a"), outcome, info, failuresInRow, 0, -1, 10, "Read timed out");
  }

  @Test
  void refusedAndUnreachableAreEvidenceAtOnce() {
    assertEquals(MasterRedisEvidence.Kind.GONE, MasterRedisEvidence.of(probe(Outcome.REFUSED, Optional.of(healthy), 1), "run-a").kind());
    MasterRedisEvidence unreachable = MasterRedisEvidence.of(probe(Outcome.UNREACHABLE, Optional.of(healthy), 1), "run-a");
    assertEquals(MasterRedisEvidence.Kind.GONE, unreachable.kind());
    assertTrue(unreachable.phrase().contains("no TCP handshake"), unreachable.phrase());
  }

  @Test
  void aBusyRedisIsAliveHoweverLong() {
    MasterRedisEvidence busy = MasterRedisEvidence.of(
        new PeerRedisProbe("a", redisOf("a"), Outcome.BUSY, Optional.of(healthy), 0, 5, 0, 60_000, "BUSY Redis is busy"),
        "run-a");
    assertEquals(MasterRedisEvidence.Kind.BUSY, busy.kind());
    assertFalse(busy.kind().failed());
  }

  @Test
  void aSlowOrFrozenRedisIsNoEvidenceAfterOneMissedAnswer() {
    // SIGSTOP'd: the probe times out but the host completed the handshake beside it (NO_ANSWER).
    MasterRedisEvidence once = MasterRedisEvidence.of(probe(Outcome.NO_ANSWER, Optional.of(healthy), 1), "run-a");
    assertEquals(MasterRedisEvidence.Kind.UNCERTAIN, once.kind());
    assertFalse(once.kind().failed());
    assertEquals(MasterRedisEvidence.Kind.GONE,
        MasterRedisEvidence.of(probe(Outcome.NO_ANSWER, Optional.of(healthy), MasterRedisEvidence.NO_ANSWER_PROBES), "run-a").kind());
  }
}
