package dev.redisha.endpoint.vip;

/**
 * Run inside a network namespace by {@link VipCommandsTest} (a JVM's packet socket is opened in
 * the namespace the JVM runs in): opens {@link PacketArp} for DEVICE and ADDRESS, sends one
 * announcement and prints "sent", or prints the reason it could not and exits 1.
 */
public final class PacketArpSend {
  private PacketArpSend() {}

  public static void main(String[] args) {
    try (PacketArp arp = PacketArp.open(args[0], args[1])) {
      arp.send();
      System.out.println("sent");
    } catch (java.io.IOException e) {
      System.out.println("not sent: " + e.getMessage());
      System.exit(1);
    }
  }
}
