package dev.redisha.endpoint.sentinel;

import dev.redisha.config.HostPort;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw RESP2/RESP3 client for tests that check exact reply shapes: simple strings come back as
 * {@link Status}, errors as {@link Err}, integers as Long, bulk strings as String (null for nil),
 * arrays as List (and {@link #NIL_ARRAY} for a nil array). RESP3's own types keep their type:
 * {@link RMap} (entries in order), {@link Push}, {@link RSet}, {@link Verbatim}, and {@link
 * #NULL} for {@code _}. Every read has a 5 s timeout.
 */
final class RespClient implements AutoCloseable {
  record Status(String text) {}

  record Err(String text) {}

  /** A RESP3 map, as its keys and values alternating, in the order sent. */
  record RMap(List<Object> flat) {
    Object get(String key) {
      for (int i = 0; i < flat.size(); i += 2) {
        if (key.equals(flat.get(i))) {
          return flat.get(i + 1);
        }
      }
      throw new AssertionError("no field " + key + " in " + flat);
    }

    List<Object> keys() {
      List<Object> keys = new ArrayList<>();
      for (int i = 0; i < flat.size(); i += 2) {
        keys.add(flat.get(i));
      }
      return keys;
    }
  }

  record Push(List<Object> items) {}

  record RSet(List<Object> items) {}

  record Verbatim(String format, String text) {}

  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "(RESP3 null)";
    }
  };

  static final Object NIL_ARRAY = new Object() {
    @Override
    public String toString() {
      return "(nil array)";
    }
  };

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RespClient(HostPort address) {
    try {
      socket = new Socket(address.host(), address.port());
      socket.setSoTimeout(5000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Object call(String... args) {
    send(args);
    return read();
  }

  void send(String... args) {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      sb.append('$').append(arg.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n")
          .append(arg).append("\r\n");
    }
    sendRaw(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  void sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops sending (half-close), as a client that has nothing more to say. */
  void shutdownOutput() {
    try {
      socket.shutdownOutput();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Object read() {
    try {
      return readValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the server closes the connection within the read timeout (all input drained). */
  boolean closedByPeer() {
    try {
      byte[] buf = new byte[8192];
      while (true) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // A reset also means the server closed it.
      return true;
    }
  }

  private Object readValue() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by the server");
    }
    String line = readLine();
    switch (type) {
      case '+':
        return new Status(line);
      case '-':
        return new Err(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return null;
        }
        byte[] data = in.readNBytes(length + 2);
        if (data.length != length + 2) {
          throw new EOFException("bulk string cut short");
        }
        return new String(data, 0, length, StandardCharsets.ISO_8859_1);
      }
      case '*': {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return NIL_ARRAY;
        }
        return readItems(length);
      }
      case '%':
        return new RMap(readItems(2 * Integer.parseInt(line)));
      case '>':
        return new Push(readItems(Integer.parseInt(line)));
      case '~':
        return new RSet(readItems(Integer.parseInt(line)));
      case '_':
        return NULL;
      case '#':
        return line.equals("t");
      case ',':
        return Double.parseDouble(line);
      case '=': {
        int length = Integer.parseInt(line);
        byte[] data = in.readNBytes(length + 2);
        String text = new String(data, 0, length, StandardCharsets.ISO_8859_1);
        return new Verbatim(text.substring(0, 3), text.substring(4));
      }
      default:
        throw new IOException("not a RESP reply type: " + (char) type);
    }
  }

  private List<Object> readItems(int length) throws IOException {
    List<Object> items = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      items.add(readValue());
    }
    return items;
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed mid-line");
      }
      if (b == '\r') {
        if (in.read() != '\n') {
          throw new IOException("CR without LF");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing a test socket: nothing to do about a failure.
    }
  }
}
