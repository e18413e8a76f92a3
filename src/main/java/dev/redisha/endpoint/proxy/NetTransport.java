package dev.redisha.endpoint.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The socket layer under the proxy. A relay of small request/reply messages spends most of its
 * time in the kernel, four socket calls per command (bench/proxy, strace: the same count as
 * HAProxy's). epoll makes one system call each and is the default: mature, and what Netty's
 * users run in production. io_uring submits and reaps them in batches; in bench/proxy it saved
 * about 3 % of the proxy's CPU per request without pipelining and nothing with it, too little to
 * make the newer code path the default of an HA tool, so it is there for those who choose it.
 * NIO (the JDK's selector) is the fallback where neither native transport loads.
 */
public enum NetTransport {
  IO_URING(IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringIoHandler::newFactory),
  EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class, EpollIoHandler::newFactory),
  NIO(NioServerSocketChannel.class, NioSocketChannel.class, NioIoHandler::newFactory);

  final Class<? extends ServerSocketChannel> serverChannel;
  final Class<? extends SocketChannel> socketChannel;
  private final Supplier<IoHandlerFactory> handlers;

  NetTransport(Class<? extends ServerSocketChannel> serverChannel, Class<? extends SocketChannel> socketChannel,
      Supplier<IoHandlerFactory> handlers) {
    this.serverChannel = serverChannel;
    this.socketChannel = socketChannel;
    this.handlers = handlers;
  }

  EventLoopGroup newGroup(int threads, String threadName) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), handlers.get());
  }

  /** Whether this machine's kernel and Netty's native library support it. */
  public boolean isAvailable() {
    return switch (this) {
      case IO_URING -> IoUring.isAvailable();
      case EPOLL -> Epoll.isAvailable();
      case NIO -> true;
    };
  }

  /** The name used in the config file and in logs: io_uring, epoll, nio. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The transport a config file names (io_uring, epoll, nio), if any. */
  public static Optional<NetTransport> parse(String name) {
    for (NetTransport t : values()) {
      if (t.configName().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The default: epoll where Netty's native library loads (Linux), else NIO. io_uring only by choice. */
  public static NetTransport best() {
    return EPOLL.isAvailable() ? EPOLL : NIO;
  }
}
