package dev.redisha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsoleLoggingTest {
  private final LoggerContext context = new LoggerContext();

  {
    // What SLF4J gives the agent's context; the async appender copies the MDC of every line.
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
  }

  @AfterEach
  void clearProperties() {
    System.clearProperty("redisha.log.level");
    System.clearProperty("logback.configurationFile");
    context.stop();
  }

  @Test
  void logLinesGoToStderrInTheAgentsFormat() {
    assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, configure());

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    AsyncAppender async = (AsyncAppender) root.getAppender("ASYNC-STDERR");
    assertTrue(async.isStarted());
    ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) async.getAppender("STDERR");
    assertEquals("System.err", stderr.getTarget());
    assertTrue(stderr.isStarted());
    PatternLayoutEncoder encoder = (PatternLayoutEncoder) stderr.getEncoder();
    assertEquals("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n", encoder.getPattern());
    Logger agent = context.getLogger("dev.redisha.agent.Agent");
    String line = new String(encoder.encode(new ch.qos.logback.classic.spi.LoggingEvent(
        "x", agent, Level.INFO, "[a] MASTER (epoch 1)", null, null)), StandardCharsets.UTF_8);
    assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+] d\\.r\\.agent\\.Agent - \\[a] MASTER \\(epoch 1\\)\\R"), line);
  }

  @Test
  void infoByDefaultAndNettyAndJedisOnlyFromWarn() {
    configure();

    assertEquals(Level.INFO, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    assertFalse(context.getLogger("io.netty.channel.DefaultChannelPipeline").isInfoEnabled());
    assertTrue(context.getLogger("io.netty.channel.DefaultChannelPipeline").isWarnEnabled());
    assertFalse(context.getLogger("redis.clients.jedis.Connection").isInfoEnabled());
    assertTrue(context.getLogger("dev.redisha.agent.Agent").isInfoEnabled());
  }

  @Test
  void rootLevelComesFromTheRedishaLogLevelProperty() {
    System.setProperty("redisha.log.level", "WARN");

    configure();

    assertFalse(context.getLogger("dev.redisha.agent.Agent").isInfoEnabled());
    assertTrue(context.getLogger("dev.redisha.agent.Agent").isWarnEnabled());
  }

  @Test
  void anOperatorsOwnLogbackFileIsLeftToLogback() {
    System.setProperty("logback.configurationFile", "/etc/redis-ha/logback.xml");

    assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, configure());

    assertEquals(null, context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC-STDERR"));
  }

  @Test
  void aStderrNobodyReadsDoesNotStopTheThreadThatLogs() throws Exception {
    PrintStream realErr = System.err;
    // A pipe whose reader never reads: its 1 KiB buffer fills, and every write after blocks, as a
    // stalled journald or a suspended terminal does to the agent's stderr.
    PipedInputStream unread = new PipedInputStream(1024);
    System.setErr(new PrintStream(new PipedOutputStream(unread), true, StandardCharsets.UTF_8));
    try {
      configure();
      Logger decisions = context.getLogger("dev.redisha.agent.Agent");
      AtomicInteger logged = new AtomicInteger();
      Thread loop = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          decisions.info("decision {} of a loop that must go on", i);
          logged.incrementAndGet();
        }
      }, "decision-loop-test");
      loop.setDaemon(true);
      loop.start();
      dev.redisha.testsupport.Await.until("20000 lines logged with stderr blocked", Duration.ofSeconds(20),
          () -> logged.get() == 20_000);
    } finally {
      System.setErr(realErr);
    }
  }

  private ExecutionStatus configure() {
    ConsoleLogging logging = new ConsoleLogging();
    logging.setContext(context);
    return logging.configure(context);
  }
}
