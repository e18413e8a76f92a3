package dev.redisha.endpoint.sentinel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Turns the bytes of one client connection into {@link Command}s, the way redis-server reads its
 * query buffer: a request starting with '*' is a multibulk (RESP array of bulk strings), anything
 * else is an inline command (one line, arguments split like redis-server's sdssplitargs).
 *
 * <p>Everything is bounded: requests, lines, argument counts and argument sizes have limits well
 * above what any Sentinel client sends (far below redis-server's, which must take large values),
 * and tighter ones before the client has authenticated (as redis-server has), so no client can
 * make the endpoint buffer much. Input that breaks the
 * protocol or a limit raises {@link RespProtocolException}; from then on the decoder discards
 * everything, and the handler answers with Redis' "Protocol error" and closes the connection.
 *
 * <p>At most one command is produced per {@code decode} call, so the handler has executed a
 * command (an AUTH, say) before the next one is read with the limits that then apply. While the
 * connection's output is backed up (the client does not read its replies), nothing is decoded:
 * pipelined requests wait in the input buffer, which the request limit bounds together with the
 * handler turning reads off; the handler restarts decoding once the output drains.
 */
final class RespDecoder extends ByteToMessageDecoder {
  static final int MAX_LINE = 64 * 1024;
  /** The largest multibulk request, all its headers and arguments together. */
  static final int MAX_REQUEST = 64 * 1024;
  static final int MAX_ARGS = 1024;
  static final int MAX_BULK = MAX_REQUEST;
  static final int MAX_UNAUTHENTICATED_ARGS = 10;
  static final int MAX_UNAUTHENTICATED_BULK = 16 * 1024;
  private static final long INVALID = Long.MIN_VALUE;

  private final BooleanSupplier authenticated;
  private boolean failed;

  /** @param authenticated whether the connection may use the larger limits */
  RespDecoder(BooleanSupplier authenticated) {
    this.authenticated = authenticated;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (!ctx.channel().isWritable()) {
      return;
    }
    try {
      boolean isMultibulk = in.getByte(in.readerIndex()) == '*';
      int before = in.readableBytes();
      Command command = isMultibulk ? multibulk(in) : inline(in);
      if (isMultibulk && in.readableBytes() == before && before > MAX_REQUEST) {
        // Incomplete yet already larger than any request may be.
        throw new RespProtocolException("too big request");
      }
      if (command != null) {
        out.add(command);
      }
    } catch (RespProtocolException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  /** A complete multibulk request, or null (reader index unchanged) while it is incomplete. */
  private Command multibulk(ByteBuf in) {
    int start = in.readerIndex();
    int cr = lineEnd(in, start, "too big mbulk count string");
    if (cr < 0) {
      return null;
    }
    long count = parseLong(in, start + 1, cr);
    if (count == INVALID || count > Integer.MAX_VALUE) {
      throw new RespProtocolException("invalid multibulk length");
    }
    int pos = cr + 2;
    if (count <= 0) {
      // "*0" and "*-1" are empty requests; redis-server skips them.
      in.readerIndex(pos);
      return null;
    }
    boolean trusted = authenticated.getAsBoolean();
    if (!trusted && count > MAX_UNAUTHENTICATED_ARGS) {
      throw new RespProtocolException("unauthenticated multibulk length");
    }
    if (count > MAX_ARGS) {
      throw new RespProtocolException("invalid multibulk length");
    }
    List<byte[]> args = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      if (pos >= in.writerIndex()) {
        return null;
      }
      byte first = in.getByte(pos);
      if (first != '$') {
        throw new RespProtocolException("expected '$', got '" + printable(first) + "'");
      }
      int bulkCr = lineEnd(in, pos, "too big bulk count string");
      if (bulkCr < 0) {
        return null;
      }
      long length = parseLong(in, pos + 1, bulkCr);
      if (length == INVALID || length < 0 || length > MAX_BULK) {
        throw new RespProtocolException("invalid bulk length");
      }
      if (!trusted && length > MAX_UNAUTHENTICATED_BULK) {
        throw new RespProtocolException("unauthenticated bulk length");
      }
      int data = bulkCr + 2;
      if ((long) in.writerIndex() - data < length + 2) {
        return null;
      }
      int end = data + (int) length;
      if (in.getByte(end) != '\r' || in.getByte(end + 1) != '\n') {
        throw new RespProtocolException("bulk string not followed by CRLF");
      }
      byte[] arg = new byte[(int) length];
      in.getBytes(data, arg);
      args.add(arg);
      pos = end + 2;
    }
    in.readerIndex(pos);
    return new Command(args);
  }

  /** A complete inline request, or null if incomplete (nothing consumed) or empty (consumed). */
  private Command inline(ByteBuf in) {
    int start = in.readerIndex();
    int limit = Math.min(in.writerIndex(), start + MAX_LINE);
    int newline = in.indexOf(start, limit, (byte) '\n');
    if (newline < 0) {
      if (in.readableBytes() >= MAX_LINE) {
        throw new RespProtocolException("too big inline request");
      }
      return null;
    }
    int end = newline > start && in.getByte(newline - 1) == '\r' ? newline - 1 : newline;
    byte[] line = new byte[end - start];
    in.getBytes(start, line);
    in.readerIndex(newline + 1);
    List<byte[]> args = splitArgs(line);
    if (args.size() > MAX_ARGS) {
      throw new RespProtocolException("too many arguments in inline request");
    }
    return args.isEmpty() ? null : new Command(args);
  }

  /**
   * The index of the '\r' ending the CRLF-terminated line that starts at {@code from}, or -1 if
   * the line has not fully arrived.
   */
  private static int lineEnd(ByteBuf in, int from, String tooLong) {
    int limit = Math.min(in.writerIndex(), from + MAX_LINE);
    int cr = in.indexOf(from, limit, (byte) '\r');
    if (cr < 0) {
      if (in.writerIndex() - from >= MAX_LINE) {
        throw new RespProtocolException(tooLong);
      }
      return -1;
    }
    if (cr + 1 >= in.writerIndex()) {
      return -1;
    }
    if (in.getByte(cr + 1) != '\n') {
      throw new RespProtocolException("expected '\\n' after '\\r'");
    }
    return cr;
  }

  /** The decimal number in bytes [from, to), or INVALID; at most 18 digits, so it never overflows. */
  private static long parseLong(ByteBuf in, int from, int to) {
    int i = from;
    boolean negative = false;
    if (i < to && in.getByte(i) == '-') {
      negative = true;
      i++;
    }
    if (i >= to || to - i > 18) {
      return INVALID;
    }
    long value = 0;
    for (; i < to; i++) {
      byte b = in.getByte(i);
      if (b < '0' || b > '9') {
        return INVALID;
      }
      value = value * 10 + (b - '0');
    }
    return negative ? -value : value;
  }

  private static String printable(byte b) {
    return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
  }

  /**
   * Splits an inline request like redis-server's sdssplitargs: whitespace separates arguments;
   * "double quotes" allow \n, \r, \t, \b, \a, \xHH and \" escapes; 'single quotes' allow \'; a
   * closing quote must be followed by whitespace or the end of the line.
   */
  static List<byte[]> splitArgs(byte[] line) {
    List<byte[]> args = new ArrayList<>();
    int n = line.length;
    int i = 0;
    while (true) {
      while (i < n && isSpace(line[i])) {
        i++;
      }
      if (i >= n) {
        return args;
      }
      ByteArrayOutputStream current = new ByteArrayOutputStream();
      boolean inDouble = false;
      boolean inSingle = false;
      boolean done = false;
      while (!done) {
        if (i >= n) {
          if (inDouble || inSingle) {
            throw new RespProtocolException("unbalanced quotes in request");
          }
          break;
        }
        byte b = line[i];
        if (inDouble) {
          if (b == '\\' && i + 3 < n && line[i + 1] == 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
            current.write(hex(line[i + 2]) * 16 + hex(line[i + 3]));
            i += 3;
          } else if (b == '\\' && i + 1 < n) {
            i++;
            current.write(unescape(line[i]));
          } else if (b == '"') {
            if (i + 1 < n && !isSpace(line[i + 1])) {
              throw new RespProtocolException("unbalanced quotes in request");
            }
            done = true;
          } else {
            current.write(b);
          }
        } else if (inSingle) {
          if (b == '\\' && i + 1 < n && line[i + 1] == '\'') {
            i++;
            current.write('\'');
          } else if (b == '\'') {
            if (i + 1 < n && !isSpace(line[i + 1])) {
              throw new RespProtocolException("unbalanced quotes in request");
            }
            done = true;
          } else {
            current.write(b);
          }
        } else if (isSpace(b) || b == 0) {
          done = true;
        } else if (b == '"') {
          inDouble = true;
        } else if (b == '\'') {
          inSingle = true;
        } else {
          current.write(b);
        }
        i++;
      }
      args.add(current.toByteArray());
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
  }

  private static boolean isHex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  private static int hex(byte b) {
    return b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
  }

  private static int unescape(byte b) {
    switch (b) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'b':
        return '\b';
      case 'a':
        return 7;
      default:
        return b;
    }
  }
}
