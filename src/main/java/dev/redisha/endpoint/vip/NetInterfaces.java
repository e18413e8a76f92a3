package dev.redisha.endpoint.vip;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** What the VIP's own sockets need to know of the configured interface and address. */
final class NetInterfaces {
  private NetInterfaces() {}

  /** The interface, in this process's network namespace; an IOException names it when there is none. */
  static NetworkInterface byName(String device) throws IOException {
    NetworkInterface nic;
    try {
      nic = NetworkInterface.getByName(device);
    } catch (SocketException e) {
      throw new IOException("cannot read interface " + device + ": " + e.getMessage(), e);
    }
    if (nic == null) {
      throw new IOException("no interface " + device);
    }
    return nic;
  }

  /** The four bytes of an IPv4 literal (the config holds one; no name is looked up). */
  static byte[] ipv4(String address) throws IOException {
    InetAddress ip = InetAddress.getByName(address);
    if (!(ip instanceof Inet4Address)) {
      throw new IOException(address + " is not an IPv4 address");
    }
    return ip.getAddress();
  }
}
