package dev.redisha.coordination;

import dev.redisha.health.PeerRedisProbe;

/**
 * What this node's own probe says about the master's Redis, judged against the run id the
 * master's agent last advertised while it served (DESIGN §4: a takeover needs evidence about Redis
 * itself, never only an agent's silence).
 *
 * @param kind the verdict
 * @param phrase how the probe saw it, for the decision's reason ("refuses connections")
 */
record MasterRedisEvidence(Kind kind, String phrase) {

  /** A peer's Redis counts as unreachable after this many probes in a row got no answer at all. */
  static final int NO_ANSWER_PROBES = 2;

  enum Kind {
    /** Answers as a master with the run id its agent advertised (or an unknown one). */
    HEALTHY_MASTER,
    /** Alive, busy with a script or function. */
    BUSY,
    /** Answers with another run id: restarted, so what it holds is not the epoch's data. */
    RESTARTED,
    /** Answers, but as a replica (demoted, or parked after a restart). */
    NOT_MASTER,
    /** Answers LOADING: restarted and reading its file. */
    LOADING,
    /** Refuses connections, or gave no answer to {@link #NO_ANSWER_PROBES} probes in a row. */
    GONE,
    /** Not probed yet, one missed answer, or an error reply: no evidence either way. */
    UNCERTAIN;

    /** Evidence enough to take the role over from it. */
    boolean failed() {
      return this == RESTARTED || this == NOT_MASTER || this == LOADING || this == GONE;
    }
  }

  /**
   * @param probe the newest probe of the master's Redis
   * @param servingRunId the run id its agent advertised while it served as master, "" if unknown
   */
  static MasterRedisEvidence of(PeerRedisProbe probe, String servingRunId) {
    return switch (probe.outcome()) {
      case ANSWERS -> {
        if (!servingRunId.isEmpty() && !probe.runId().equals(servingRunId)) {
          yield new MasterRedisEvidence(Kind.RESTARTED,
              "restarted (run id " + abbrev(servingRunId) + " -> " + abbrev(probe.runId()) + ")");
        }
        yield probe.answersAsMaster()
            ? new MasterRedisEvidence(Kind.HEALTHY_MASTER, "answers as a healthy master")
            : new MasterRedisEvidence(Kind.NOT_MASTER, probe.describe());
      }
      case BUSY -> new MasterRedisEvidence(Kind.BUSY, probe.describe());
      case LOADING -> new MasterRedisEvidence(Kind.LOADING, probe.describe());
      case REFUSED -> new MasterRedisEvidence(Kind.GONE, "refuses connections");
      case NO_ANSWER -> probe.unreachable(NO_ANSWER_PROBES)
          ? new MasterRedisEvidence(Kind.GONE, probe.describe())
          : new MasterRedisEvidence(Kind.UNCERTAIN, probe.describe());
      case UNKNOWN, ERROR -> new MasterRedisEvidence(Kind.UNCERTAIN, probe.describe());
    };
  }

  private static String abbrev(String runId) {
    return runId.length() > 8 ? runId.substring(0, 8) : runId;
  }
}
