package dev.redisha.endpoint.vip;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

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

  static {
    Native.register(Platform.C_LIBRARY_NAME);
  }

  private LibC() {}

  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  static native NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] to, int toLen)
      throws LastErrorException;

  static native NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

  static native int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

  static native int close(int fd) throws LastErrorException;

  /** Closes {@code fd} if it is one (not negative); a close that fails has nothing left to undo. */
  static void closeQuietly(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      close(fd);
    } catch (LastErrorException ignored) {
      // the descriptor is gone either way
    }
  }
}
