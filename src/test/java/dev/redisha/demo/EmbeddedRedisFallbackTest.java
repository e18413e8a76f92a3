package dev.redisha.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.redis.RedisBinary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine with only Java: no system redis-server, so the agent runs the binary shipped in the
 * embedded-redis artifact (Redis 6.2). The whole experiment must work on it too.
 */
class EmbeddedRedisFallbackTest {
  @TempDir Path dir;

  @Test
  void demoRunsOnTheEmbeddedRedisBinaryWhenAskedTo() throws Exception {
    String before = System.getProperty(RedisBinary.PROPERTY);
    System.setProperty(RedisBinary.PROPERTY, "embedded");
    try {
      assertTrue(RedisBinary.locate(Optional.empty()).getFileName().toString().startsWith("redis-ha-redis-server-6.2"));
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int exit = new SeedExperiment(new PrintStream(buf, true, StandardCharsets.UTF_8), 200).run(dir);
      String story = buf.toString(StandardCharsets.UTF_8);
      System.out.print(story);
      assertEquals(0, exit, story);
      assertTrue(story.contains("redis-server: ") && story.contains("6.2"), "the embedded binary ran");
    } finally {
      if (before == null) {
        System.clearProperty(RedisBinary.PROPERTY);
      } else {
        System.setProperty(RedisBinary.PROPERTY, before);
      }
    }
  }
}
