package dev.redisha.coordination.peer;

import java.util.Objects;

/**
 * The outcome of checking one received advert: either the advert, or why it was dropped. Returned
 * by {@link AdvertCodec#decode} and {@link ReplayGuard#admit} so the two checks chain without
 * exceptions or nulls.
 */
public final class Verdict {
  private final Advert advert;
  private final RejectReason reason;

  private Verdict(Advert advert, RejectReason reason) {
    this.advert = advert;
    this.reason = reason;
  }

  public static Verdict accept(Advert advert) {
    return new Verdict(Objects.requireNonNull(advert, "advert"), null);
  }

  public static Verdict reject(RejectReason reason) {
    return new Verdict(null, Objects.requireNonNull(reason, "reason"));
  }

  public boolean accepted() {
    return advert != null;
  }

  /** The advert; only for an accepted verdict. */
  public Advert advert() {
    if (advert == null) {
      throw new IllegalStateException("rejected: " + reason);
    }
    return advert;
  }

  /** Why it was dropped; only for a rejected verdict. */
  public RejectReason reason() {
    if (reason == null) {
      throw new IllegalStateException("accepted");
    }
    return reason;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Verdict v && Objects.equals(advert, v.advert) && reason == v.reason;
  }

  @Override
  public int hashCode() {
    return Objects.hash(advert, reason);
  }

  @Override
  public String toString() {
    // An accepted verdict names only the sender, so logging a verdict never dumps a whole advert.
    return accepted() ? "accepted(" + advert.nodeId() + ")" : "rejected(" + reason + ")";
  }
}
