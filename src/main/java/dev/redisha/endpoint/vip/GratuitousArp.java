package dev.redisha.endpoint.vip;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this node announces the VIP: from its own packet socket ({@link PacketArp}) where it can
 * open one, else by running arping ({@link ArmedArping}: the first announcement from a shell
 * started ahead of time, the repeats each from a process of their own). Which one, and why, is
 * logged once at start, so a slower announcement is never a silent surprise.
 */
final class GratuitousArp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GratuitousArp.class);

  private final ArmedArping arping;
  private volatile PacketArp socket;

  GratuitousArp(String device, String address) {
    this.arping = new ArmedArping(device, address);
    try {
      socket = PacketArp.open(device, address);
      log.info("gratuitous ARP for {} on {}: from a packet socket held open", address, device);
    } catch (IOException e) {
      log.warn("gratuitous ARP for {} on {}: through arping, which takes longer to send at a takeover, because no "
          + "packet socket could be opened: {}", address, device, e.getMessage());
    }
  }

  /** Readies the next first announcement; between takeovers, never on the way to one. */
  void prepare() {
    PacketArp s = socket;
    if (s == null) {
      arping.arm();
      return;
    }
    try {
      s.refreshInterface();
    } catch (IOException e) {
      log.warn("cannot read the interface for the next gratuitous ARP ({}); keeping the last one read", e.getMessage());
    }
  }

  /**
   * The first announcement of a takeover, at once, from the calling thread.
   *
   * @return false if nothing could be sent
   */
  boolean sendFirst() {
    return sendFromSocket() || arping.fire();
  }

  /** One of the repeats. @return false if nothing could be sent */
  boolean sendRepeat() {
    return sendFromSocket() || arping.start().isPresent();
  }

  /** A send that fails falls back to arping for good: the socket's next try would fail alike. */
  private boolean sendFromSocket() {
    PacketArp s = socket;
    if (s == null) {
      return false;
    }
    try {
      s.send();
      return true;
    } catch (IOException e) {
      log.warn("gratuitous ARP from the packet socket failed ({}); using arping from now on", e.getMessage());
      socket = null;
      s.close();
      return false;
    }
  }

  @Override
  public void close() {
    PacketArp s = socket;
    if (s != null) {
      s.close();
    }
    arping.close();
  }
}
