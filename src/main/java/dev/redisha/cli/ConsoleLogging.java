package dev.redisha.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The agent's logging, set up in code (found by logback through {@code META-INF/services}): lines
 * on stderr, so stdout carries only command output (status tables, the demo's story); Netty and
 * Jedis at WARN; the root level from {@code -Dredisha.log.level} (INFO by default).
 *
 * <p>Why not a {@code logback.xml}: reading one loads logback's XML configurator and the JDK's
 * XML parser, about 580 classes and 0.3 s of the agent's start on a quiet 2-core machine, for
 * these five settings. An operator's own file still works: with {@code -Dlogback.configurationFile}
 * set, this steps aside and logback reads that file.
 *
 * <p>Lines reach stderr through logback's {@link AsyncAppender}, which never blocks the thread that
 * logs: under systemd stderr is a pipe to journald, and a stalled journald (or a terminal nobody
 * reads) must not stop a failover mid-way, which a plain console appender does once the pipe is
 * full. Past {@value #QUEUE} waiting lines new ones are dropped instead; events.jsonl is written
 * apart from this and is not affected.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ConsoleLogging extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";
  static final int QUEUE = 8192;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("ASYNC-STDERR");
    async.setQueueSize(QUEUE);
    // Every level is kept while there is room (the default drops INFO once the queue is 80% full).
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(stderr);
    async.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getProperty("redisha.log.level", "INFO"), Level.INFO));
    root.addAppender(async);
    // Lines still queued when the JVM exits are written first (for up to a second).
    Runtime.getRuntime().addShutdownHook(new Thread(context::stop, "log-flush"));
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("redis.clients").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
