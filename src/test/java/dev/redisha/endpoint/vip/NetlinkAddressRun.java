package dev.redisha.endpoint.vip;

import java.util.ArrayList;
import java.util.List;

/**
 * Run inside a network namespace by {@link VipCommandsTest} (a netlink socket acts on the
 * namespace its process runs in): {@code DEVICE ADDRESS PREFIX (add|remove)...} opens {@link
 * NetlinkAddress}, makes the requests in order and prints their outcomes on one line, or prints
 * "failed: " and the reason and exits 1.
 */
public final class NetlinkAddressRun {
  private NetlinkAddressRun() {}

  public static void main(String[] args) {
    try (NetlinkAddress a = NetlinkAddress.open(args[0], args[1], Integer.parseInt(args[2]), 2000)) {
      List<String> outcomes = new ArrayList<>();
      for (int i = 3; i < args.length; i++) {
        outcomes.add((args[i].equals("add") ? a.add() : a.remove()).toString());
      }
      System.out.println(String.join(" ", outcomes));
    } catch (java.io.IOException e) {
      System.out.println("failed: " + e.getMessage());
      System.exit(1);
    }
  }
}
