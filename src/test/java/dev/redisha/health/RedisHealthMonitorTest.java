package dev.redisha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.redisha.config.HealthConfig;
import dev.redisha.config.HostPort;
import dev.redisha.redis.FreePorts;
import dev.redisha.redis.RedisBinary;
import dev.redisha.redis.RedisConnector;
import dev.redisha.redis.RedisLaunch;
import dev.redisha.redis.RedisServerProcess;
import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** How the local probe reports a Redis port that answers, but not as Redis. */
class RedisHealthMonitorTest {
  @TempDir Path dir;

  @Test
  void aForeignServiceOnTheRedisPortIsOneStableReasonAndTheCountComesOnRecovery() throws Exception {
    int port = FreePorts.tcp();
    HostPort target = new HostPort("127.0.0.1", port);
    Logger logger = (Logger) LoggerFactory.getLogger(RedisHealthMonitor.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    RedisHealthMonitor monitor = new RedisHealthMonitor(new RedisConnector(Optional.empty(), Optional.empty(),
        Optional.empty()), target, new HealthConfig(50, 200, 3), h -> { }, () -> System.nanoTime() / 1_000_000);
    try {
      Set<String> downReasons = new LinkedHashSet<>();
      try (ForeignService ssh = new ForeignService(port)) {
        for (int i = 0; i < 10; i++) {
          RedisHealth h = monitor.probeOnce();
          // The first two failures are not yet "down" and repeat the last view (none so far).
          if (i >= 2) {
            downReasons.add(h.reason());
          }
        }
      }
      // The decision loop logs each change of reason: one reason is one line, not one per probe.
      assertEquals(1, downReasons.size(), "down reasons: " + downReasons);
      assertTrue(downReasons.iterator().next().startsWith("probes fail (3 or more in a row): "), downReasons.toString());

      RedisLaunch launch = new RedisLaunch(target, dir.resolve("redis"), Optional.empty(), Optional.empty(),
          Optional.empty(), List.of());
      try (RedisServerProcess redis = RedisServerProcess.start(RedisBinary.locate(Optional.empty()), launch)) {
        Await.until("the real Redis answers", Duration.ofSeconds(10),
            () -> monitor.probeOnce().status() == RedisHealth.Status.UP);
      }
      List<String> recovery = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains("no longer fails probes")).toList();
      assertEquals(1, recovery.size(), recovery.toString());
      assertTrue(recovery.get(0).startsWith("Redis at " + target + " no longer fails probes after 10 in a row"
          + " (Unknown reply: S): "), recovery.get(0));
    } finally {
      logger.detachAppender(logged);
      monitor.close();
    }
  }

  /** A TCP service that greets every connection with a banner, as sshd does, and then waits. */
  private static final class ForeignService implements AutoCloseable {
    private final ServerSocket server = new ServerSocket();
    private final Thread acceptor;

    ForeignService(int port) throws IOException {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            OutputStream out = s.getOutputStream();
            out.write("SSH-2.0-OpenSSH_9.2p1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          } catch (IOException closed) {
            return;
          }
        }
      }, "foreign-service");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    @Override
    public void close() throws Exception {
      server.close();
      acceptor.join(2000);
    }
  }
}
