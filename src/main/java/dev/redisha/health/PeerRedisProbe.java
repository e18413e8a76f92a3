package dev.redisha.health;

import dev.redisha.config.HostPort;
import dev.redisha.redis.RedisInfo;
import java.util.Optional;

/**
 * What this agent's own probes of a peer's Redis show, independent of what the peer's agent
 * advertises. A master's agent can be starved or dead beside a healthy Redis (DESIGN §4: only
 * evidence about Redis itself moves the master role), and a peer whose adverts cannot be read can
 * still be asked directly before this node promotes itself.
 *
 * @param nodeId the peer
 * @param target its Redis, as configured
 * @param outcome the last probe's outcome
 * @param info its INFO when it answered ({@link Outcome#ANSWERS}), else the last INFO it gave
 * @param failuresInRow probes in a row that got no answer at all (refused, timed out, reset)
 * @param lastAnswerAtMillis when it last answered anything (monotonic agent clock), -1 if never
 * @param busySinceMillis when its BUSY replies began (monotonic), -1 if it is not busy
 * @param checkedAtMillis when the last probe finished (monotonic)
 * @param detail the error of the last failed probe, for logs ("" when it answered)
 */
public record PeerRedisProbe(
    String nodeId,
    HostPort target,
    Outcome outcome,
    Optional<RedisInfo> info,
    int failuresInRow,
    long lastAnswerAtMillis,
    long busySinceMillis,
    long checkedAtMillis,
    String detail) {

  public enum Outcome {
    /** Not probed yet. */
    UNKNOWN,
    /** Answered INFO. */
    ANSWERS,
    /** Alive, running a script or function past busy-reply-threshold. */
    BUSY,
    /** Alive, loading its dataset: not a usable master. */
    LOADING,
    /** Nothing listens on the port: the process is gone. */
    REFUSED,
    /**
     * No answer within the timeout, but its host completed a new TCP handshake meanwhile (or was
     * not asked): a frozen or slow server, or a lost packet; evidence only when repeated.
     */
    NO_ANSWER,
    /**
     * No answer within the timeout, and its host did not complete a new TCP handshake within the
     * timeout either: nothing answers at the address (host down, link cut). A frozen or starved
     * server's kernel still completes handshakes, so this is the host, not a slow Redis.
     */
    UNREACHABLE,
    /** Answered with an error (authentication, ACL): alive, but this agent cannot see into it. */
    ERROR
  }

  public static PeerRedisProbe unknown(String nodeId, HostPort target, long now) {
    return new PeerRedisProbe(nodeId, target, Outcome.UNKNOWN, Optional.empty(), 0, -1, -1, now, "not probed yet");
  }

  /** It answered INFO as a master (replicating from nobody). */
  public boolean answersAsMaster() {
    return outcome == Outcome.ANSWERS && info.map(RedisInfo::isMaster).orElse(false);
  }

  /** Its run id as of the last answer ("" if it never answered). */
  public String runId() {
    return info.map(RedisInfo::runId).orElse("");
  }

  /** A probe outcome that says the process answers something, so it is alive. */
  public boolean alive() {
    return outcome == Outcome.ANSWERS || outcome == Outcome.BUSY || outcome == Outcome.LOADING
        || outcome == Outcome.ERROR;
  }

  /**
   * Definite evidence that no Redis serves at the address: refused, unreachable (no answer and no
   * handshake), or no answer to {@code failures} probes in a row, each of which waited its full
   * timeout for a byte. A probe thread
   * that is merely starved of CPU does not count: the socket read it wakes up to finds the reply.
   */
  public boolean unreachable(int failures) {
    return outcome == Outcome.REFUSED || outcome == Outcome.UNREACHABLE
        || (outcome == Outcome.NO_ANSWER && failuresInRow >= failures);
  }

  /** How long it has been busy at {@code now}, 0 if not busy. */
  public long busyForMillis(long now) {
    return outcome == Outcome.BUSY && busySinceMillis >= 0 ? now - busySinceMillis : 0;
  }

  /** One phrase for logs: "answers as master", "refuses connections", "no answer to 2 probes", ... */
  public String describe() {
    return switch (outcome) {
      case UNKNOWN -> "not probed yet";
      case ANSWERS -> info.map(i -> i.isMaster() ? "answers as master"
          : "answers as a replica of " + i.masterHost() + ":" + i.masterPort()).orElse("answers");
      case BUSY -> "is busy running a script";
      case LOADING -> "is loading its dataset";
      case REFUSED -> "refuses connections";
      case NO_ANSWER -> "gave no answer to " + failuresInRow + " probe" + (failuresInRow == 1 ? "" : "s")
          + " in a row (" + detail + ")";
      case UNREACHABLE -> "gave no answer and its host completed no TCP handshake (" + detail + ")";
      case ERROR -> "answers with an error (" + detail + ")";
    };
  }
}
