package dev.redisha.endpoint.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Finds where RESP values end in a byte stream, one direction of one connection, without copying
 * or consuming the buffers it is shown: the proxy relays the very buffers it scanned. It knows
 * only as much of the protocol as counting needs: the type byte of each value, the lengths that
 * say how many bytes or elements follow, and, for commands, the name (the first bulk string of
 * the top-level array, or the first word of an inline command such as redis-cli's {@code
 * PING\r\n}). Bulk bodies are skipped by their length, simple lines by searching for the line
 * feed. State carries over between calls, so a value may be split at any byte.
 *
 * <p>Types: RESP2 {@code + - : $ *} and RESP3 {@code _ , # ! = ( % ~ > |}; an attribute ({@code
 * |}) is a prefix of the value that follows, not a value of its own. Anything else (RESP3
 * streamed strings and aggregates, which Redis never sends, or a byte stream that is not RESP)
 * makes the scanner give up for good: {@link #lostSync()} turns true and the rest is not scanned.
 * Redis answers a request it cannot parse with an error and closes the connection, so giving up
 * costs nothing but the ability to count on that connection.
 *
 * @see <a href="https://redis.io/docs/latest/develop/reference/protocol-spec/">RESP</a>
 */
final class RespScanner {
  /** What a request scanner reports. */
  interface RequestListener {
    /**
     * The name of the command being read, as the client wrote it (case not folded). {@code
     * length} is -1 when the name is longer than {@link #MAX_NAME} bytes (no Redis command is).
     *
     * @return whether to hand the whole command's bytes to {@link #onCommandEnd}
     */
    boolean onCommandName(byte[] name, int length);

    /**
     * A command ended.
     *
     * @param expectsReply false for an empty command ({@code *0}, {@code *-1} or a blank inline
     *     line), which Redis skips without a reply
     * @param captured the command's bytes if {@link #onCommandName} asked for them and they fit in
     *     {@link #MAX_CAPTURE} bytes, else null. An array command's header is rebuilt from the
     *     element count and the name; every real client writes it in that same canonical form.
     * @return false to stop scanning right after this command
     */
    boolean onCommandEnd(boolean expectsReply, byte[] captured);
  }

  /** What a reply scanner reports. */
  interface ReplyListener {
    /**
     * A top-level reply ended; {@code type} is its type byte ({@code '>'} for a RESP3 push, which
     * answers no command).
     *
     * @return false to stop scanning right after this reply
     */
    boolean onReply(byte type);
  }

  static final int MAX_NAME = 32;
  static final int MAX_CAPTURE = 64 * 1024;
  /** Copied at a time for byte-by-byte parsing; a read of a pipelined burst of small commands fits. */
  private static final int WINDOW_BYTES = 4096;
  /** Deeper nesting than any Redis reply has; past it the stream is treated as garbage. */
  private static final int MAX_DEPTH = 1024;

  private static final int TYPE = 0;
  private static final int LENGTH = 1;
  private static final int LENGTH_LF = 2;
  private static final int LINE = 3;
  private static final int BULK = 4;
  private static final int INLINE_LEAD = 5;
  private static final int INLINE_NAME = 6;
  private static final int INLINE_REST = 7;
  private static final int LOST = 8;

  private final RequestListener requests;
  private final ReplyListener replies;

  private int state = TYPE;
  private byte lengthType;
  private long number;
  private boolean negative;
  private int digits;
  /** Bytes left of a bulk body, its CRLF included. */
  private long bulkLeft;

  private long[] remaining = new long[8];
  private boolean[] attribute = new boolean[8];
  private int depth;
  private byte topType;

  // Requests only.
  private long commandElements;
  private boolean nameNext;
  private boolean readingName;
  private long nameLength;
  private final byte[] name = new byte[MAX_NAME];
  private int nameFill;
  private boolean capturing;
  private byte[] capture;
  private int captureFill;
  private boolean captureTooLong;
  private int captureFrom;
  private boolean emptyCommand;

  private boolean stop;

  /**
   * The copy of the bytes being scanned ({@link #scanWindow}), one per thread rather than per
   * scanner: it holds nothing between calls, and a proxy with many connections would otherwise
   * keep two of them per connection.
   */
  private static final FastThreadLocal<byte[]> WINDOW = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[WINDOW_BYTES];
    }
  };

  private RespScanner(RequestListener requests, ReplyListener replies) {
    this.requests = requests;
    this.replies = replies;
  }

  static RespScanner forRequests(RequestListener listener) {
    return new RespScanner(listener, null);
  }

  static RespScanner forReplies(ReplyListener listener) {
    return new RespScanner(null, listener);
  }

  /** True between values: nothing of a value has been seen that is not complete. */
  boolean atBoundary() {
    return state == TYPE && depth == 0;
  }

  boolean lostSync() {
    return state == LOST;
  }

  /**
   * Scans {@code buf} from its reader index to its writer index, indices untouched.
   *
   * @return the index after the last byte scanned: the writer index, or the end of the value
   *     after which a listener asked to stop
   */
  int scan(ByteBuf buf) {
    int i = buf.readerIndex();
    final int end = buf.writerIndex();
    stop = false;
    captureFrom = i;
    byte[] w = null;
    while (i < end && !stop) {
      if (state == LOST) {
        i = end; // pass the rest through unscanned
      } else if (state == BULK && !readingName) {
        // A body is skipped by its length, never copied.
        int take = (int) Math.min(bulkLeft, end - i);
        i += take;
        bulkLeft -= take;
        if (bulkLeft == 0) {
          state = TYPE;
          valueDone(i, buf);
        }
      } else {
        if (w == null) {
          w = WINDOW.get();
        }
        int n = Math.min(w.length, end - i);
        buf.getBytes(i, w, 0, n);
        i += scanWindow(w, n, i, buf);
      }
    }
    if (capturing) {
      appendCapture(buf, captureFrom, i);
    }
    return i;
  }

  /**
   * Scans {@code w[0, n)}, a copy of the buffer's bytes from index {@code base}: one bulk copy per
   * window, then plain array reads in a loop per state, instead of a bounds- and reference-checked
   * {@code getByte} (or {@code indexOf}) per byte, which made the header bytes of each command the
   * largest user-space cost of the relay under pipelined load.
   *
   * @return how many of the window's bytes were scanned
   */
  private int scanWindow(byte[] w, int n, int base, ByteBuf buf) {
    int j = 0;
    while (j < n && !stop) {
      switch (state) {
        case TYPE -> {
          byte b = w[j];
          if (depth == 0 && b == (requests != null ? '*' : '$')) {
            int next = requests != null ? wholeCommand(w, j, n, base, buf) : wholeBulkReply(w, j, n, base, buf);
            if (next >= 0) {
              j = next;
              continue;
            }
          }
          if (requests != null && depth == 0 && b != '*') {
            state = INLINE_LEAD; // the first byte may already be part of the name
          } else {
            j++;
            startValue(b);
          }
        }
        case LENGTH -> {
          long num = number;
          int dig = digits;
          while (j < n && w[j] >= '0' && w[j] <= '9' && dig <= 15) {
            num = num * 10 + (w[j++] - '0');
            dig++;
          }
          number = num;
          digits = dig;
          if (dig > 15) {
            lose();
          } else if (j < n) {
            byte b = w[j++];
            if (b == '-' && dig == 0 && !negative) {
              negative = true;
            } else if (b != '\r' || dig == 0) {
              lose();
            } else if (j == n) {
              state = LENGTH_LF;
            } else if (w[j++] != '\n') {
              lose();
            } else {
              lengthRead(negative ? -num : num, base + j, buf);
            }
          }
        }
        case LENGTH_LF -> {
          if (w[j++] != '\n') {
            lose();
          } else {
            lengthRead(negative ? -number : number, base + j, buf);
          }
        }
        case LINE, INLINE_REST -> {
          int lf = j;
          while (lf < n && w[lf] != '\n') {
            lf++;
          }
          if (lf == n) {
            j = n;
          } else {
            j = lf + 1;
            state = TYPE;
            valueDone(base + j, buf);
          }
        }
        case BULK -> {
          int take = (int) Math.min(bulkLeft, n - j);
          if (readingName) {
            int nameBytes = (int) Math.min(take, nameLength - nameFill);
            if (nameBytes > 0) {
              if (nameLength <= MAX_NAME) {
                System.arraycopy(w, j, name, nameFill, nameBytes);
              }
              nameFill += nameBytes;
            }
          }
          j += take;
          bulkLeft -= take;
          if (bulkLeft == 0) {
            state = TYPE;
            if (readingName) {
              readingName = false;
              nameRead(base + j, nameLength <= MAX_NAME ? (int) nameLength : -1, true);
            }
            valueDone(base + j, buf);
          }
        }
        case INLINE_LEAD -> {
          byte b = w[j];
          if (b == '\n') {
            j++;
            emptyCommand = true;
            state = TYPE;
            valueDone(base + j, buf);
          } else if (isSpace(b)) {
            j++;
          } else {
            state = INLINE_NAME;
            nameFill = 0;
          }
        }
        case INLINE_NAME -> {
          byte b = w[j];
          if (isSpace(b)) {
            state = INLINE_REST;
            nameRead(base + j, nameFill <= MAX_NAME ? nameFill : -1, false);
          } else {
            if (nameFill < MAX_NAME) {
              name[nameFill] = b;
            }
            nameFill++;
            j++;
          }
        }
        default -> j = n; // LOST
      }
    }
    return j;
  }

  /**
   * The common case of a request in one piece: a whole command, an array of bulk strings, lies in
   * {@code w[j, n)}. Found in one pass of array reads, with the effects the state machine would
   * have had (name, capture, end of command); -1, with nothing changed, for anything else (split
   * across reads, an empty or odd command), which the state machine then reads byte by byte.
   */
  private int wholeCommand(byte[] w, int j, int n, int base, ByteBuf buf) {
    int p = j + 1;
    long count = 0;
    int dig = 0;
    while (p < n && w[p] >= '0' && w[p] <= '9' && dig < 10) {
      count = count * 10 + (w[p++] - '0');
      dig++;
    }
    if (dig == 0 || count == 0 || p + 1 >= n || w[p] != '\r' || w[p + 1] != '\n') {
      return -1;
    }
    p += 2;
    int nameStart = -1;
    long nameLen = 0;
    int afterName = 0;
    for (long e = 0; e < count; e++) {
      if (p >= n || w[p] != '$') {
        return -1;
      }
      p++;
      long len = 0;
      dig = 0;
      while (p < n && w[p] >= '0' && w[p] <= '9' && dig < 10) {
        len = len * 10 + (w[p++] - '0');
        dig++;
      }
      if (dig == 0 || p + 1 >= n || w[p] != '\r' || w[p + 1] != '\n') {
        return -1;
      }
      p += 2;
      if (e == 0) {
        nameStart = p;
        nameLen = len;
      }
      if (len + 2 > n - p) {
        return -1; // the rest lies beyond the window
      }
      p += (int) len + 2;
      if (e == 0) {
        afterName = p;
      }
    }
    commandElements = count;
    int length = -1;
    if (nameLen <= MAX_NAME) {
      length = (int) nameLen;
      System.arraycopy(w, nameStart, name, 0, length);
    }
    nameRead(base + afterName, length, true);
    valueDone(base + p, buf);
    return p;
  }

  /** As {@link #wholeCommand}, for a bulk string reply ({@code $3\r\nabc\r\n}) in one piece. */
  private int wholeBulkReply(byte[] w, int j, int n, int base, ByteBuf buf) {
    int p = j + 1;
    long len = 0;
    int dig = 0;
    while (p < n && w[p] >= '0' && w[p] <= '9' && dig < 10) {
      len = len * 10 + (w[p++] - '0');
      dig++;
    }
    if (dig == 0 || p + 1 >= n || w[p] != '\r' || w[p + 1] != '\n' || len + 4 > n - p) {
      return -1;
    }
    p += (int) len + 4;
    topType = '$';
    valueDone(base + p, buf);
    return p;
  }

  private void startValue(byte b) {
    if (depth == 0 && b != '|') {
      topType = b;
    }
    if (requests != null) {
      // A request is an array of bulk strings (the top-level '*' is handled by the caller).
      if (depth == 0 ? b != '*' : b != '$') {
        lose();
        return;
      }
    }
    switch (b) {
      case '$', '!', '=', '*', '~', '>', '%', '|' -> {
        lengthType = b;
        number = 0;
        negative = false;
        digits = 0;
        state = LENGTH;
      }
      case '+', '-', ':', '_', ',', '#', '(' -> state = LINE;
      default -> lose();
    }
  }

  private void lengthRead(long n, int i, ByteBuf buf) {
    state = TYPE;
    switch (lengthType) {
      case '$', '!', '=' -> {
        if (n == -1 && lengthType == '$' && requests == null) {
          valueDone(i, buf);
          return;
        }
        if (n < 0) {
          lose();
          return;
        }
        if (nameNext) {
          nameNext = false;
          readingName = true;
          nameLength = n;
          nameFill = 0;
        }
        bulkLeft = n + 2;
        state = BULK;
      }
      default -> {
        if (n == -1 && lengthType == '*') {
          emptyCommand = requests != null;
          valueDone(i, buf);
          return;
        }
        if (n < 0) {
          lose();
          return;
        }
        long count = (lengthType == '%' || lengthType == '|') ? 2 * n : n;
        if (requests != null) {
          commandElements = n;
          if (n == 0) {
            emptyCommand = true;
            valueDone(i, buf);
            return;
          }
          nameNext = true;
        }
        if (count == 0) {
          if (lengthType != '|') {
            valueDone(i, buf);
          }
          return;
        }
        if (depth == MAX_DEPTH) {
          lose();
          return;
        }
        if (depth == remaining.length) {
          remaining = Arrays.copyOf(remaining, depth * 2);
          attribute = Arrays.copyOf(attribute, depth * 2);
        }
        remaining[depth] = count;
        attribute[depth] = lengthType == '|';
        depth++;
      }
    }
  }

  /** A value ended at index {@code i}; closes the aggregates it completes. */
  private void valueDone(int i, ByteBuf buf) {
    while (depth > 0) {
      if (--remaining[depth - 1] > 0) {
        return;
      }
      depth--;
      if (attribute[depth]) {
        return; // an attribute only prefixes the value that follows
      }
    }
    if (requests != null) {
      byte[] captured = null;
      if (capturing) {
        appendCapture(buf, captureFrom, i);
        captured = captureTooLong ? null : Arrays.copyOf(capture, captureFill);
        capturing = false;
      }
      boolean expectsReply = !emptyCommand;
      emptyCommand = false;
      nameNext = false;
      stop = !requests.onCommandEnd(expectsReply, captured);
    } else {
      stop = !replies.onReply(topType);
    }
    captureFrom = i;
  }

  private void nameRead(int i, int length, boolean array) {
    if (!requests.onCommandName(name, length) || length < 0) {
      return;
    }
    capturing = true;
    captureTooLong = false;
    captureFill = 0;
    if (capture == null) {
      capture = new byte[256];
    }
    if (array) {
      appendAscii("*" + commandElements + "\r\n$" + length + "\r\n");
      appendBytes(name, 0, length);
      appendAscii("\r\n");
    } else {
      appendBytes(name, 0, length);
    }
    captureFrom = i;
  }

  private void appendCapture(ByteBuf buf, int from, int to) {
    int n = to - from;
    if (n <= 0 || captureTooLong) {
      return;
    }
    if (!ensureCapture(n)) {
      return;
    }
    buf.getBytes(from, capture, captureFill, n);
    captureFill += n;
  }

  private void appendAscii(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    appendBytes(b, 0, b.length);
  }

  private void appendBytes(byte[] b, int off, int n) {
    if (ensureCapture(n)) {
      System.arraycopy(b, off, capture, captureFill, n);
      captureFill += n;
    }
  }

  private boolean ensureCapture(int n) {
    if (captureFill + n > MAX_CAPTURE) {
      captureTooLong = true;
      return false;
    }
    if (captureFill + n > capture.length) {
      capture = Arrays.copyOf(capture, Math.min(MAX_CAPTURE, Math.max(capture.length * 2, captureFill + n)));
    }
    return true;
  }

  private void lose() {
    state = LOST;
    capturing = false;
  }

  /** The separators of Redis' inline parser ({@code sdssplitargs} uses {@code isspace}). */
  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0x0b || b == '\f';
  }
}
