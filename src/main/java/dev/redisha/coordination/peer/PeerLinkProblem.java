package dev.redisha.coordination.peer;

/**
 * Something wrong with the link to one peer that the operator must fix, found by the advert
 * transport: shown by {@code status} and {@code /metrics} and logged once per change. None of
 * these is ever read as "the peer is gone".
 *
 * @param nodeId the peer concerned (the claimed node id for {@link Kind#DUPLICATE_NODE_ID})
 * @param kind what is wrong
 * @param message one line for the operator, naming the peer and the likely cause; never a secret
 * @param sinceMonotonicMillis when it began, on the transport's monotonic clock
 *     ({@link System#nanoTime()} / 1,000,000 unless a test injected another)
 */
public record PeerLinkProblem(String nodeId, Kind kind, String message, long sinceMonotonicMillis) {
  public enum Kind {
    /** Datagrams from the peer's address fail the HMAC: the two agents use different keys. */
    AUTH_FAILING,
    /** Two agents (two addresses, two bootIds) send adverts under the same node id. */
    DUPLICATE_NODE_ID,
    /** The peer's wall clock differs from ours by more than the threshold; adverts still flow. */
    CLOCK_SKEW,
    /**
     * The peer's adverts arrive but never echo this agent's bootId: the peer does not hear us
     * (firewall, or its config names a wrong advert address for this node). One-way links look
     * like a silent peer otherwise.
     */
    NOT_HEARD_BY_PEER
  }
}
