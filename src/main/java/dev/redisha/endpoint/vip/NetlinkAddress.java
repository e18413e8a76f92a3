package dev.redisha.endpoint.vip;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Adds and removes the VIP with one rtnetlink request each, from a socket opened at start: what
 * {@code ip addr add/del} sends, without waking a helper process and waiting for its reply, which
 * cost 8-16 ms of a takeover on a loaded host.
 */
final class NetlinkAddress implements AutoCloseable {
  /** What a request did. ALREADY: the address was there already (add) or was not there (remove). */
  enum Outcome { DONE, ALREADY }

  private static final int NETLINK_ROUTE = 0;
  private static final short RTM_NEWADDR = 20;
  private static final short RTM_DELADDR = 21;
  private static final short NLMSG_ERROR = 2;
  private static final short NLM_F_REQUEST = 0x1;
  private static final short NLM_F_ACK = 0x4;
  private static final short NLM_F_EXCL = 0x200;
  private static final short NLM_F_CREATE = 0x400;
  private static final short IFA_ADDRESS = 1;
  private static final short IFA_LOCAL = 2;
  private static final int AF_INET = 2;
  private static final int EEXIST = 17;
  private static final int ENODEV = 19;
  private static final int EADDRNOTAVAIL = 99;
  private static final int EAGAIN = 11;

  private final String device;
  private final byte[] address;
  /** For messages: the address and prefix as configured. */
  private final String cidr;
  private final int prefixLength;
  private int fd;
  private int ifindex;
  private int seq;

  private NetlinkAddress(String device, byte[] address, String cidr, int prefixLength, int fd) {
    this.device = device;
    this.address = address;
    this.cidr = cidr;
    this.prefixLength = prefixLength;
    this.fd = fd;
  }

  /**
   * Opens the socket (with a reply timeout) and reads the interface's index.
   *
   * @throws IOException with the reason when the caller must fall back to {@code ip}
   */
  static NetlinkAddress open(String device, String ipv4, int prefixLength, long timeoutMs) throws IOException {
    byte[] address = NetInterfaces.ipv4(ipv4);
    int fd = LibC.openSocket(LibC.AF_NETLINK, LibC.SOCK_RAW, NETLINK_ROUTE, "AF_NETLINK");
    NetlinkAddress a = new NetlinkAddress(device, address, ipv4 + "/" + prefixLength, prefixLength, fd);
    try {
      // struct timeval: a reply that never comes must not hold a takeover.
      byte[] tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
          .putLong(timeoutMs / 1000).putLong((timeoutMs % 1000) * 1000).array();
      LibC.Calls.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, tv.length);
      a.readIndex();
    } catch (LastErrorException e) {
      a.close();
      throw new IOException("setsockopt(SO_RCVTIMEO): errno " + e.getErrorCode(), e);
    } catch (IOException e) {
      a.close();
      throw e;
    }
    return a;
  }

  private void readIndex() throws IOException {
    ifindex = NetInterfaces.byName(device).getIndex();
  }

  synchronized Outcome add() throws IOException {
    return request(RTM_NEWADDR, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE), EEXIST);
  }

  synchronized Outcome remove() throws IOException {
    return request(RTM_DELADDR, (short) (NLM_F_REQUEST | NLM_F_ACK), EADDRNOTAVAIL);
  }

  /** One request; an interface that was recreated (a new index) is looked up again, once. */
  private Outcome request(short type, short flags, int alreadyErrno) throws IOException {
    int errno = send(type, flags);
    if (errno == ENODEV) {
      readIndex();
      errno = send(type, flags);
    }
    if (errno == 0) {
      return Outcome.DONE;
    }
    if (errno == alreadyErrno) {
      return Outcome.ALREADY;
    }
    throw new IOException((type == RTM_NEWADDR ? "adding " : "removing ") + cidr + " on " + device
        + ": netlink errno " + errno + describe(errno));
  }

  /** Sends the request and waits for its acknowledgement; returns the kernel's errno, 0 for done. */
  private int send(short type, short flags) throws IOException {
    if (fd < 0) {
      throw new IOException("closed");
    }
    int mySeq = ++seq;
    byte[] msg = message(type, flags, mySeq);
    // sockaddr_nl for the kernel: family, pad, pid 0, groups 0.
    byte[] kernel = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putShort((short) LibC.AF_NETLINK).array();
    try {
      LibC.Calls.sendto(fd, msg, new NativeLong(msg.length), 0, kernel, kernel.length);
    } catch (LastErrorException e) {
      throw new IOException("netlink send: errno " + e.getErrorCode(), e);
    }
    byte[] buf = new byte[8192];
    while (true) {
      int n;
      try {
        n = (int) LibC.Calls.recv(fd, buf, new NativeLong(buf.length), 0).longValue();
      } catch (LastErrorException e) {
        throw new IOException(e.getErrorCode() == EAGAIN ? "no netlink reply in time"
            : "netlink receive: errno " + e.getErrorCode(), e);
      }
      if (n <= 0) {
        throw new IOException("netlink socket closed without a reply");
      }
      ByteBuffer r = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder());
      while (r.remaining() >= 16) {
        int start = r.position();
        int len = r.getInt();
        short msgType = r.getShort();
        r.getShort();
        int replySeq = r.getInt();
        r.getInt();
        if (len < 16 || start + len > n) {
          break;
        }
        // A reply to an earlier request that timed out is skipped, not taken for this one's.
        if (msgType == NLMSG_ERROR && replySeq == mySeq && len >= 20) {
          return -r.getInt();
        }
        r.position(start + ((len + 3) & ~3));
      }
    }
  }

  /** nlmsghdr, ifaddrmsg, IFA_LOCAL and IFA_ADDRESS: what {@code ip addr add A/P dev D} sends. */
  private byte[] message(short type, short flags, int mySeq) {
    ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
    b.putInt(40).putShort(type).putShort(flags).putInt(mySeq).putInt(0);
    b.put((byte) AF_INET).put((byte) prefixLength).put((byte) 0).put((byte) 0).putInt(ifindex);
    b.putShort((short) 8).putShort(IFA_LOCAL).put(address);
    b.putShort((short) 8).putShort(IFA_ADDRESS).put(address);
    return b.array();
  }

  private static String describe(int errno) {
    return switch (errno) {
      case 1 -> " (operation not permitted: CAP_NET_ADMIN missing?)";
      case ENODEV -> " (no such device)";
      case 22 -> " (invalid argument)";
      default -> "";
    };
  }

  @Override
  public synchronized void close() {
    LibC.closeQuietly(fd);
    fd = -1;
  }
}
