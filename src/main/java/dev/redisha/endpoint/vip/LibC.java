package dev.redisha.endpoint.vip;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.io.IOException;

/**
 * The few libc calls the VIP needs that the JDK lacks (packet and netlink sockets), direct-mapped
 * through JNA. Bound at the first use, which is the VIP endpoint's start, never a takeover.
 */
final class LibC {
  static final int AF_NETLINK = 16;
  static final int AF_PACKET = 17;
  static final int SOCK_RAW = 3;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_CLOEXEC = 02000000;
  static final int SOL_SOCKET = 1;
  static final int SO_RCVTIMEO = 20;

  private LibC() {}

  /**
   * The native calls themselves. In a class of their own so that binding them (JNA unpacking its
   * library) happens inside {@link #openSocket}'s first call, where a failure is caught and
   * reported, rather than wherever LibC is first touched.
   */
  static final class Calls {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    private Calls() {}

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] to, int toLen)
        throws LastErrorException;

    static native NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;
  }

  /**
   * A socket, or an IOException saying why not (no native access, or the errno), which callers
   * answer by falling back to {@code ip} and {@code arping}.
   */
  static int openSocket(int domain, int type, int protocol, String name) throws IOException {
    try {
      return Calls.socket(domain, type | SOCK_CLOEXEC, protocol);
    } catch (LastErrorException e) {
      throw new IOException("socket(" + name + "): errno " + e.getErrorCode(), e);
    } catch (LinkageError e) {
      throw new IOException("no native access (JNA): " + e.getMessage(), e);
    }
  }

  /** Closes {@code fd} if it is one (not negative); a close that fails has nothing left to undo. */
  static void closeQuietly(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      Calls.close(fd);
    } catch (LastErrorException ignored) {
      // the descriptor is gone either way
    }
  }
}
