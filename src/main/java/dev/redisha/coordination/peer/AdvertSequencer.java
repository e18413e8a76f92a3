package dev.redisha.coordination.peer;

import java.util.function.LongSupplier;

/**
 * Stamps the sender's replay-protection fields on outgoing adverts: bootId is this agent's start
 * time in ms, or one more than the last start's if the clock is behind that ({@link BootIds}), so
 * it grows across restarts; seq counts up from 1 within the boot, and sentAtMillis is the wall clock at stamping. The caller fills in everything else
 * and leaves these three at any value; they are overwritten. See {@link ReplayGuard} for how the
 * receiving side uses them. Thread-safe: every stamp gets its own seq.
 */
public final class AdvertSequencer {
  private final LongSupplier clockMillis;
  private final long bootId;
  private long seq;

  /** With the system wall clock; the boot starts now. */
  public AdvertSequencer() {
    this(System::currentTimeMillis);
  }

  /** @param clockMillis wall clock in ms; read once now for the bootId and then at every stamp */
  public AdvertSequencer(LongSupplier clockMillis) {
    this(clockMillis.getAsLong(), clockMillis);
  }

  /**
   * @param bootId this start's id, higher than any earlier start's of this node ({@link BootIds})
   * @param clockMillis wall clock in ms, read at every stamp
   */
  public AdvertSequencer(long bootId, LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
    this.bootId = bootId;
  }

  public long bootId() {
    return bootId;
  }

  /** A copy of the advert with this boot's id, the next seq and the current time. */
  public synchronized Advert stamp(Advert a) {
    seq++;
    return a.stamped(bootId, seq, clockMillis.getAsLong());
  }
}
