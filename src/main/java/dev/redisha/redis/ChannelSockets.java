package dev.redisha.redis;

import dev.redisha.config.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Connects the way Jedis' own socket factory does (every resolved address in turn, the same socket
 * options, each failed attempt kept as a suppressed error), but through a {@link SocketChannel},
 * so that the connection can also be waited on with a selector between commands.
 */
final class ChannelSockets {
  private ChannelSockets() {}

  /** A connected channel in blocking mode whose socket has {@code timeoutMs} as its read timeout. */
  static SocketChannel connect(HostPort target, int timeoutMs) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(target.host());
    } catch (UnknownHostException e) {
      throw new JedisConnectionException("Unknown host " + target.host(), e);
    }
    JedisConnectionException failed =
        new JedisConnectionException("Failed to connect to " + target + ".");
    for (InetAddress address : addresses) {
      SocketChannel ch = null;
      try {
        ch = SocketChannel.open();
        Socket s = ch.socket();
        s.setReuseAddress(true);
        s.setKeepAlive(true);
        s.setTcpNoDelay(true);
        s.setSoLinger(true, 0);
        s.connect(new InetSocketAddress(address, target.port()), timeoutMs);
        s.setSoTimeout(timeoutMs);
        return ch;
      } catch (IOException | RuntimeException e) {
        closeQuietly(ch);
        failed.addSuppressed(e);
      }
    }
    throw failed;
  }

  private static void closeQuietly(SocketChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // the attempt failed already
      }
    }
  }
}
