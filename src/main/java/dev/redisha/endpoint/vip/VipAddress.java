package dev.redisha.endpoint.vip;

import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;
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
    return change("add", NetlinkAddress::add, "add", VipAddress::alreadyAssigned);
  }

  Result remove() {
    return change("remove", NetlinkAddress::remove, "del", VipAddress::notAssigned);
  }

  /** A netlink request that fails (not one that finds the address already so) is retried through ip. */
  private Result change(String what, NetlinkRequest request, String ipVerb, Predicate<String> alreadySo) {
    if (netlink != null) {
      try {
        return request.send(netlink) == NetlinkAddress.Outcome.DONE ? done() : already();
      } catch (IOException e) {
        log.warn("netlink could not {} VIP {} ({}); trying ip", what, cidr, e.getMessage());
      }
    }
    NetCommand.Result r = ip.run(List.of("addr", ipVerb, cidr, "dev", device));
    return r.ok() ? done() : alreadySo.test(r.output()) ? already() : new Result(Change.FAILED, r.output());
  }

  private interface NetlinkRequest {
    NetlinkAddress.Outcome send(NetlinkAddress n) throws IOException;
  }

  /** ip's answer to an address added twice: "File exists" before kernel 4.x extack, then this. */
  static boolean alreadyAssigned(String output) {
    return output.contains("File exists") || output.contains("Address already assigned");
  }

  /** ip's answer to removing an address that is not there, in either kernel's words. */
  static boolean notAssigned(String output) {
    return output.contains("Cannot assign") || output.contains("Address not found");
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
