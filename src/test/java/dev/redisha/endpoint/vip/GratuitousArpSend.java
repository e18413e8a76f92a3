package dev.redisha.endpoint.vip;

/**
 * Run inside a network namespace by {@link VipCommandsTest}: announces ADDRESS on DEVICE the way
 * the VIP endpoint does at a takeover ({@link GratuitousArp#sendFirst}, after {@link
 * GratuitousArp#prepare}), and prints "sent" or "not sent".
 */
public final class GratuitousArpSend {
  private GratuitousArpSend() {}

  public static void main(String[] args) throws Exception {
    try (GratuitousArp arp = new GratuitousArp(args[0], args[1])) {
      arp.prepare();
      System.out.println(arp.sendFirst() ? "sent" : "not sent");
    }
  }
}
