package dev.redisha.endpoint.proxy;

import io.netty.buffer.ByteBuf;
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
  /** Copied at a time for byte-by-byte parsing; a pipelined burst of small commands fits. */
  private static final int WINDOW = 512;
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

  /** Bytes [windowStart, windowEnd) of the buffer being scanned, copied; see {@link #at}. */
  private final byte[] window = new byte[WINDOW];
  private int windowStart;
  private int windowEnd;

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
    windowStart = 0;
    windowEnd = 0;
    stop = false;
    captureFrom = i;
    while (i < end && !stop) {
      switch (state) {
        case TYPE -> {
          byte b = at(buf, i++, end);
          if (requests != null && depth == 0 && b != '*') {
            state = INLINE_LEAD;
            i--; // the first byte may already be part of the name
          } else {
            startValue(b);
          }
        }
        case LENGTH -> {
          byte b = at(buf, i++, end);
          if (b >= '0' && b <= '9') {
            number = number * 10 + (b - '0');
            if (++digits > 15) {
              lose();
            }
          } else if (b == '-' && digits == 0 && !negative) {
            negative = true;
          } else if (b == '\r' && digits > 0) {
            state = LENGTH_LF;
          } else {
            lose();
          }
        }
        case LENGTH_LF -> {
          if (at(buf, i++, end) != '\n') {
            lose();
          } else {
            lengthRead(negative ? -number : number, i, buf);
          }
        }
        case LINE -> {
          int lf = buf.indexOf(i, end, (byte) '\n');
          if (lf < 0) {
            i = end;
          } else {
            i = lf + 1;
            state = TYPE;
            valueDone(i, buf);
          }
        }
        case BULK -> {
          int take = (int) Math.min(bulkLeft, end - i);
          if (readingName) {
            int nameBytes = (int) Math.min(take, nameLength - nameFill);
            if (nameBytes > 0) {
              if (nameLength <= MAX_NAME) {
                buf.getBytes(i, name, nameFill, nameBytes);
              }
              nameFill += nameBytes;
            }
          }
          i += take;
          bulkLeft -= take;
          if (bulkLeft == 0) {
            state = TYPE;
            if (readingName) {
              readingName = false;
              nameRead(i, nameLength <= MAX_NAME ? (int) nameLength : -1, true);
            }
            valueDone(i, buf);
          }
        }
        case INLINE_LEAD -> {
          byte b = at(buf, i++, end);
          if (b == '\n') {
            emptyCommand = true;
            state = TYPE;
            valueDone(i, buf);
          } else if (!isSpace(b)) {
            state = INLINE_NAME;
            nameFill = 0;
            i--;
          }
        }
        case INLINE_NAME -> {
          byte b = at(buf, i, end);
          if (isSpace(b)) {
            state = INLINE_REST;
            nameRead(i, nameFill <= MAX_NAME ? nameFill : -1, false);
          } else {
            if (nameFill < MAX_NAME) {
              name[nameFill] = b;
            }
            nameFill++;
            i++;
          }
        }
        case INLINE_REST -> {
          int lf = buf.indexOf(i, end, (byte) '\n');
          if (lf < 0) {
            i = end;
          } else {
            i = lf + 1;
            state = TYPE;
            valueDone(i, buf);
          }
        }
        default -> i = end; // LOST: pass the rest through unscanned
      }
    }
    if (capturing) {
      appendCapture(buf, captureFrom, i);
    }
    return i;
  }

  /**
   * The byte at {@code i}, read through a copied window of the buffer: one bulk copy per window
   * instead of a bounds- and reference-checked {@code getByte} per byte, which made the header
   * bytes of each command the largest cost of the relay under pipelined load. Bulk bodies are
   * skipped by their length and never copied.
   */
  private byte at(ByteBuf buf, int i, int end) {
    if (i >= windowEnd || i < windowStart) {
      int n = Math.min(window.length, end - i);
      buf.getBytes(i, window, 0, n);
      windowStart = i;
      windowEnd = i + n;
    }
    return window[i - windowStart];
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
