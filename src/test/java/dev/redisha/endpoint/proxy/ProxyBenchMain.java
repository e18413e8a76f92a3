package dev.redisha.endpoint.proxy;

import ch.qos.logback.classic.Level;
import dev.redisha.config.HostPort;
import dev.redisha.endpoint.MasterView;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the proxy alone for {@code bench/proxy}: {@code ProxyBenchMain LISTEN MASTER [IO_THREADS
 * [TRANSPORT]]}, TRANSPORT one of io_uring, epoll, nio (default: the best available).
 * Prints "ready HOST:PORT" once it listens and relays until it is killed.
 */
public final class ProxyBenchMain {
  private ProxyBenchMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2 || args.length > 4) {
      System.err.println("usage: ProxyBenchMain LISTEN_HOST:PORT MASTER_HOST:PORT [IO_THREADS [TRANSPORT]]");
      System.exit(2);
    }
    // Netty logs its setup at DEBUG; a benchmark wants quiet.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
    ProxyOptions options = ProxyOptions.defaults(HostPort.parse(args[0]));
    if (args.length >= 3) {
      options = options.withIoThreads(Integer.parseInt(args[2]));
    }
    if (args.length == 4) {
      options = options.withTransport(NetTransport.parse(args[3])
          .orElseThrow(() -> new IllegalArgumentException("unknown transport " + args[3])));
    }
    HostPort master = HostPort.parse(args[1]);
    RedisProxy proxy = RedisProxy.start(options, System.out::println);
    Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "proxy-shutdown"));
    proxy.update(new MasterView(1, Optional.of("bench"), Optional.of(master), List.of(), true));
    System.out.println("ready " + proxy.listenAddress());
    new CountDownLatch(1).await();
  }
}
