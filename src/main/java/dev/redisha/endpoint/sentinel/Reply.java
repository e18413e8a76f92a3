package dev.redisha.endpoint.sentinel;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes replies into a buffer in the protocol the client chose with HELLO: RESP2, or RESP3 with
 * its own types for maps, sets, nulls, verbatim text and pushes. The same call writes what
 * redis-server writes for either protocol (a map is a flat array in RESP2, a null is {@code $-1}
 * or {@code *-1}), so handlers describe a reply once. Text is ISO-8859-1, one byte per char.
 */
final class Reply {
  private static final byte[] CRLF = {'\r', '\n'};
  private final ByteBuf buf;
  private boolean resp3;

  Reply(ByteBuf buf, boolean resp3) {
    this.buf = buf;
    this.resp3 = resp3;
  }

  /** A RESP2 writer, for replies sent before or regardless of HELLO. */
  Reply(ByteBuf buf) {
    this(buf, false);
  }

  ByteBuf buf() {
    return buf;
  }

  boolean resp3() {
    return resp3;
  }

  /** Switches protocol mid-reply: HELLO answers in the protocol it has just chosen. */
  void protocol(boolean resp3) {
    this.resp3 = resp3;
  }

  Reply simple(String text) {
    return line('+', oneLine(text));
  }

  /** An error reply; {@code text} starts with its code ("ERR", "NOAUTH", ...). */
  Reply error(String text) {
    return line('-', oneLine(text));
  }

  Reply integer(long value) {
    return line(':', Long.toString(value));
  }

  /** A bulk string, or for null the null bulk string ({@code $-1}; RESP3 {@code _}). */
  Reply bulk(String text) {
    return text == null ? nullBulk() : bulk(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  Reply bulk(byte[] bytes) {
    line('$', Integer.toString(bytes.length));
    buf.writeBytes(bytes);
    buf.writeBytes(CRLF);
    return this;
  }

  Reply bulk(long value) {
    return bulk(Long.toString(value));
  }

  Reply nullBulk() {
    return resp3 ? line('_', "") : line('$', "-1");
  }

  Reply array(int length) {
    return line('*', Integer.toString(length));
  }

  /** The null array ({@code *-1}; RESP3 has one null, {@code _}). */
  Reply nullArray() {
    return resp3 ? line('_', "") : line('*', "-1");
  }

  /** A map of {@code pairs} entries; RESP2 has no maps, so it is a flat array of 2 x pairs. */
  Reply map(int pairs) {
    return resp3 ? line('%', Integer.toString(pairs)) : array(pairs * 2);
  }

  /** A set (COMMAND's flags); an array in RESP2. */
  Reply set(int length) {
    return line(resp3 ? '~' : '*', Integer.toString(length));
  }

  /** An out-of-band Pub/Sub message or (un)subscribe confirmation; an array in RESP2. */
  Reply push(int length) {
    return line(resp3 ? '>' : '*', Integer.toString(length));
  }

  /** Text meant for people (CLIENT INFO): RESP3's verbatim string of format "txt". */
  Reply verbatim(String text) {
    if (!resp3) {
      return bulk(text);
    }
    byte[] bytes = ("txt:" + text).getBytes(StandardCharsets.ISO_8859_1);
    line('=', Integer.toString(bytes.length));
    buf.writeBytes(bytes);
    buf.writeBytes(CRLF);
    return this;
  }

  /** A map whose keys and values are all bulk strings, as Sentinel's instance descriptions. */
  Reply fields(List<String> namesAndValues) {
    map(namesAndValues.size() / 2);
    namesAndValues.forEach(this::bulk);
    return this;
  }

  private Reply line(char type, String text) {
    buf.writeByte(type);
    buf.writeCharSequence(text, StandardCharsets.ISO_8859_1);
    buf.writeBytes(CRLF);
    return this;
  }

  /** Status and error lines cannot hold CR or LF; like redis-server, they become spaces. */
  static String oneLine(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return sb.toString();
  }
}
