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
 * A raw RESP2 client for tests that check exact reply shapes: simple strings come back as
 * {@link Status}, errors as {@link Err}, integers as Long, bulk strings as String (null for nil),
 * arrays as List (and {@link #NIL_ARRAY} for a nil array). Every read has a 5 s timeout.
 */
final class RespClient implements AutoCloseable {
  record Status(String text) {}

  record Err(String text) {}

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
        List<Object> items = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
          items.add(readValue());
        }
        return items;
      }
      default:
        throw new IOException("not a RESP2 reply type: " + (char) type);
    }
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
