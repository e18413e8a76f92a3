package dev.redisha.coordination.peer;

/** Why a received datagram was not handed to the coordinator. Each one is counted separately. */
public enum RejectReason {
  /** Shorter than a header plus a tag; cannot be an advert at all. */
  TOO_SHORT,
  /** Does not start with "RHA1": not ours (a stray packet, a port scan). */
  BAD_MAGIC,
  /** Ours, but a wire version this agent does not speak (a mixed-version group). */
  BAD_VERSION,
  /** The declared payload length does not match the datagram, or it is over the size limit. */
  BAD_LENGTH,
  /** The HMAC does not verify: wrong key, corruption or forgery. */
  BAD_MAC,
  /** Authentic but unparseable: a sender bug, or a newer payload layout under the same version. */
  MALFORMED,
  /** Authentic, but for another group that shares this group's key (a configuration mistake). */
  WRONG_GROUP,
  /** From a node id that is not a configured peer. */
  UNKNOWN_PEER,
  /**
   * Authentic and in order, but it does not echo this agent's current bootId: sent before the
   * sender heard this boot of ours (normal for the first advert round after either side starts),
   * or captured earlier and replayed. Not logged: it is expected at every start.
   */
  UNCONFIRMED,
  /** Not newer than what was already accepted from that sender: a duplicate or a replay. */
  REPLAYED,
  /**
   * Its node id is claimed by two agents (two source addresses, two bootIds) at once; none of that
   * node id's adverts are believed until only one is left.
   */
  DUPLICATE_NODE_ID
}
