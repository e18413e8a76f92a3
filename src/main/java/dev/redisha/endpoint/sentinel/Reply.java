package dev.redisha.endpoint.sentinel;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes RESP2 replies into a buffer. Text is written as ISO-8859-1, one byte per char. */
final class Reply {
  private static final byte[] CRLF = {'\r', '\n'};
  private final ByteBuf buf;

  Reply(ByteBuf buf) {
    this.buf = buf;
  }

  ByteBuf buf() {
    return buf;
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

  Reply bulk(String text) {
    return text == null ? line('$', "-1") : bulk(text.getBytes(StandardCharsets.ISO_8859_1));
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

  Reply array(int length) {
    return line('*', Integer.toString(length));
  }

  Reply nullArray() {
    return line('*', "-1");
  }

  /** A RESP2 map: a flat array of alternating field names and values, all bulk strings. */
  Reply fields(List<String> namesAndValues) {
    array(namesAndValues.size());
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
