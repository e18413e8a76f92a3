package dev.redisha.cli;

import dev.redisha.demo.SeedExperiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code redis-ha demo}: the seed's experiment on loopback, narrated and checked. */
@Command(name = "demo", description = "Two Redis servers, two agents and a proxy on loopback: crash, failover, failback, checked.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--ids", defaultValue = "2000", description = "VM records to write first (5 keys each; default ${DEFAULT-VALUE})")
  int ids;

  @Option(names = "--full", description = "the seed's full run: 50,000 VM records")
  boolean full;

  @Option(names = "--dir", description = "work directory (default: a new temporary directory)")
  Optional<Path> dir;

  @Option(names = "--verbose", description = "also show the agents' logs (on stderr)")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (!verbose) {
      // The demo tells its own story on stdout; the agents' log lines would drown it.
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.WARN);
    }
    Path work = dir.isPresent() ? Files.createDirectories(dir.get()) : Files.createTempDirectory("redis-ha-demo-");
    return new SeedExperiment(System.out, full ? 50_000 : ids).run(work);
  }
}
