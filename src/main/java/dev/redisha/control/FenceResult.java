package dev.redisha.control;

/**
 * What fencing the old master achieved.
 *
 * @param lostBytes replication bytes the old master had that this node did not get before it was
 *     demoted (0 when it caught up or was unreachable and nothing is known)
 */
public record FenceResult(Outcome outcome, long lostBytes, String detail) {
  public enum Outcome {
    /** It refuses connections or does not answer: nothing to fence (crashed or frozen). */
    UNREACHABLE,
    /** It answered and is no longer a master. */
    DEMOTED,
    /** It answered and was not a master anyway. */
    NOT_MASTER,
    /** It answered but could not be demoted: promoting now could make two masters. */
    FAILED,
    /**
     * It answers BUSY with a script that cannot be killed (it wrote) and was left running: it
     * cannot be demoted, and when the script ends it takes writes again. No promotion.
     */
    BUSY,
    /** It was BUSY with an unkillable script and was shut down (SHUTDOWN NOSAVE, confirmed). */
    SHUT_DOWN
  }

  public boolean allowsPromotion() {
    return outcome != Outcome.FAILED && outcome != Outcome.BUSY;
  }
}
