package dev.redisha.endpoint.vip;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Gratuitous ARP sent from a packet socket that this process opens at start and keeps: one {@code
 * sendto} at a takeover, where starting {@code arping} cost 18-42 ms of exec, dynamic linking and
 * set-up on a loaded host before its first packet left, and the clients' connects kept reaching
 * the old master's host all that time. The packet is the one {@code arping -U} sends: an ARP
 * request from the address to itself, to the broadcast MAC.
 *
 * <p>The socket is opened with protocol 0, so it receives nothing: no ARP traffic queues up in a
 * socket nobody reads.
 */
final class PacketArp implements AutoCloseable {
  private static final short ETH_P_ARP = 0x0806;
  private static final short ARPHRD_ETHER = 1;
  private static final short ARPOP_REQUEST = 1;
  private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

  private final String device;
  private final byte[] address;
  private int fd;
  private byte[] mac;
  private int ifindex;

  private PacketArp(String device, byte[] address, int fd) {
    this.device = device;
    this.address = address;
    this.fd = fd;
  }

  /**
   * Opens the socket and reads the interface's index and MAC.
   *
   * @throws IOException with the reason (no native access, no CAP_NET_RAW, a filter that forbids
   *     AF_PACKET, an interface that is not Ethernet) when the caller must fall back to arping
   */
  static PacketArp open(String device, String ipv4) throws IOException {
    byte[] address = NetInterfaces.ipv4(ipv4);
    int fd = LibC.openSocket(LibC.AF_PACKET, LibC.SOCK_DGRAM, 0, "AF_PACKET");
    PacketArp arp = new PacketArp(device, address, fd);
    try {
      arp.refreshInterface();
    } catch (IOException e) {
      arp.close();
      throw e;
    }
    return arp;
  }

  /**
   * Reads the interface's index and MAC again (a bond can change its MAC, a recreated interface
   * its index); called between takeovers, never on the way to one.
   */
  synchronized void refreshInterface() throws IOException {
    NetworkInterface nic = NetInterfaces.byName(device);
    byte[] hw;
    try {
      hw = nic.getHardwareAddress();
    } catch (SocketException e) {
      throw new IOException("cannot read the MAC of " + device + ": " + e.getMessage(), e);
    }
    if (hw == null || hw.length != 6) {
      throw new IOException(device + " has no Ethernet address");
    }
    mac = hw;
    ifindex = nic.getIndex();
  }

  /** Sends one announcement; an IOException names the errno. */
  synchronized void send() throws IOException {
    if (fd < 0) {
      throw new IOException("closed");
    }
    byte[] packet = packet();
    byte[] to = linkAddress();
    try {
      LibC.Calls.sendto(fd, packet, new NativeLong(packet.length), 0, to, to.length);
    } catch (LastErrorException e) {
      throw new IOException("sendto(AF_PACKET) on " + device + ": errno " + e.getErrorCode(), e);
    }
  }

  /** The ARP request {@code arping -U} sends: sender and target are both the address. */
  byte[] packet() {
    return ByteBuffer.allocate(28).order(ByteOrder.BIG_ENDIAN)
        .putShort(ARPHRD_ETHER).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort(ARPOP_REQUEST)
        .put(mac).put(address).put(BROADCAST).put(address)
        .array();
  }

  /** struct sockaddr_ll: the family, index and hardware type in host order, the protocol in network order. */
  private byte[] linkAddress() {
    ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
    b.putShort((short) LibC.AF_PACKET);
    b.order(ByteOrder.BIG_ENDIAN).putShort(ETH_P_ARP).order(ByteOrder.nativeOrder());
    b.putInt(ifindex).putShort(ARPHRD_ETHER).put((byte) 0).put((byte) 6).put(BROADCAST);
    return b.array();
  }

  @Override
  public synchronized void close() {
    LibC.closeQuietly(fd);
    fd = -1;
  }
}
