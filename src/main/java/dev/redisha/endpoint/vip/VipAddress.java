package dev.redisha.endpoint.vip;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds and removes the VIP on its interface: by rtnetlink from this process ({@link
 * NetlinkAddress}) where it can open the socket, else (and for any request netlink refused) with
 * {@code ip} through its batch helper ({@link IpBatch}). Which one, and why, is logged at start.
 */
final class VipAddress implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VipAddress.class);

  /** What a request did. ALREADY: the address was there already (add) or was not there (remove). */
  enum Change { DONE, ALREADY, FAILED }

  /** @param detail why it failed (FAILED), else empty */
  record Result(Change change, String detail) {}

  private final String device;
  private final String cidr;
  private final IpBatch ip;
  private final NetlinkAddress netlink;

  VipAddress(String device, String address, int prefixLength, long timeoutMs) {
    this.device = device;
    this.cidr = address + "/" + prefixLength;
    this.ip = new IpBatch(timeoutMs);
    NetlinkAddress n = null;
    try {
      n = NetlinkAddress.open(device, address, prefixLength, timeoutMs);
      log.info("VIP {} on {}: added and removed by netlink from this process", cidr, device);
    } catch (IOException e) {
      log.warn("VIP {} on {}: added and removed with ip, which takes longer at a takeover, because no netlink "
          + "socket could be opened: {}", cidr, device, e.getMessage());
      // Started now, not at the first takeover, where its start would cost what it saves.
      ip.start();
    }
    this.netlink = n;
  }

  Result add() {
    if (netlink != null) {
      try {
        return netlink.add() == NetlinkAddress.Outcome.DONE ? done() : already();
      } catch (IOException e) {
        log.warn("netlink could not add VIP {} ({}); trying ip", cidr, e.getMessage());
      }
    }
    NetCommand.Result r = ip.run(List.of("addr", "add", cidr, "dev", device));
    return r.ok() ? done() : VipEndpoint.alreadyAssigned(r.output()) ? already() : new Result(Change.FAILED, r.output());
  }

  Result remove() {
    if (netlink != null) {
      try {
        return netlink.remove() == NetlinkAddress.Outcome.DONE ? done() : already();
      } catch (IOException e) {
        log.warn("netlink could not remove VIP {} ({}); trying ip", cidr, e.getMessage());
      }
    }
    NetCommand.Result r = ip.run(List.of("addr", "del", cidr, "dev", device));
    return r.ok() ? done() : VipEndpoint.notAssigned(r.output()) ? already() : new Result(Change.FAILED, r.output());
  }

  private static Result done() {
    return new Result(Change.DONE, "");
  }

  private static Result already() {
    return new Result(Change.ALREADY, "");
  }

  @Override
  public void close() {
    if (netlink != null) {
      netlink.close();
    }
    ip.close();
  }
}
