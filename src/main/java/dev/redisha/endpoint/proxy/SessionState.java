package dev.redisha.endpoint.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The per-connection state Redis keeps for a client that a new server must be told again when
 * the proxy moves the connection: the commands that set it, exactly as the client sent them, one
 * per kind of state, the last that succeeded. They are replayed in the order the client sent
 * them, so a later {@code AUTH} still wins over the credentials of an earlier {@code HELLO} and
 * the other way round.
 *
 * <p>Not carried over, and so never moved: subscriptions, MONITOR, client-side caching ({@code
 * CLIENT TRACKING}/{@code CACHING}) and {@code CLIENT REPLY} (the proxy pins those connections),
 * an open transaction or WATCH (the proxy waits for it to end), and blocked commands (closed).
 */
final class SessionState {
  enum Slot {
    AUTH(true),
    HELLO(true),
    SELECT(true),
    SETNAME(true),
    LIB_NAME(false),
    LIB_VER(false),
    NO_EVICT(false),
    NO_TOUCH(false);

    /**
     * Whether the new server must accept it for the move to be transparent. A library name is
     * cosmetic and older servers reject {@code CLIENT SETINFO}.
     */
    final boolean mustSucceed;

    Slot(boolean mustSucceed) {
      this.mustSucceed = mustSucceed;
    }
  }

  /** A state-setting command: where it goes, when it was sent, its bytes (may hold a password). */
  record Recorded(Slot slot, long sequence, byte[] command) {
    @Override
    public String toString() {
      return slot + "#" + sequence; // never the bytes: AUTH and HELLO carry a password
    }
  }

  private final Map<Slot, Recorded> slots = new EnumMap<>(Slot.class);

  void commit(Recorded r) {
    Recorded old = slots.get(r.slot());
    if (old == null || old.sequence() < r.sequence()) {
      slots.put(r.slot(), r);
    }
  }

  /** {@code RESET}: the server forgets all of it. */
  void clear() {
    slots.clear();
  }

  boolean isEmpty() {
    return slots.isEmpty();
  }

  List<Recorded> inOrder() {
    List<Recorded> list = new ArrayList<>(slots.values());
    list.sort(Comparator.comparingLong(Recorded::sequence));
    return list;
  }

  /**
   * The arguments of a captured command, name first: a RESP array of bulk strings, or an inline
   * command split at white space (quotes are not interpreted; no state command needs them).
   */
  static List<byte[]> arguments(byte[] command) {
    List<byte[]> args = new ArrayList<>();
    if (command.length > 0 && command[0] == '*') {
      int[] pos = {0};
      long n = readLength(command, pos, (byte) '*');
      for (long a = 0; a < n && pos[0] < command.length; a++) {
        long len = readLength(command, pos, (byte) '$');
        if (len < 0 || pos[0] + len > command.length) {
          break;
        }
        byte[] arg = new byte[(int) len];
        System.arraycopy(command, pos[0], arg, 0, (int) len);
        args.add(arg);
        pos[0] += (int) len + 2;
      }
      return args;
    }
    int start = -1;
    for (int i = 0; i <= command.length; i++) {
      boolean space = i == command.length || Character.isWhitespace(command[i]);
      if (space && start >= 0) {
        byte[] arg = new byte[i - start];
        System.arraycopy(command, start, arg, 0, arg.length);
        args.add(arg);
        start = -1;
      } else if (!space && start < 0) {
        start = i;
      }
    }
    return args;
  }

  private static long readLength(byte[] b, int[] pos, byte type) {
    int i = pos[0];
    if (i >= b.length || b[i] != type) {
      return -1;
    }
    long n = 0;
    i++;
    while (i < b.length && b[i] >= '0' && b[i] <= '9' && n < Integer.MAX_VALUE) {
      n = n * 10 + (b[i] - '0');
      i++;
    }
    pos[0] = i + 2; // CRLF
    return n;
  }

  static boolean is(byte[] arg, String upperCaseWord) {
    byte[] w = upperCaseWord.getBytes(StandardCharsets.US_ASCII);
    if (arg.length != w.length) {
      return false;
    }
    for (int i = 0; i < w.length; i++) {
      byte c = arg[i];
      if (c >= 'a' && c <= 'z') {
        c = (byte) (c - 32);
      }
      if (c != w[i]) {
        return false;
      }
    }
    return true;
  }
}
