package dev.redisha.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command: the demo runs the seed's experiment end to end and loses nothing. */
class SeedExperimentTest {
  @TempDir Path dir;

  @Test
  void demoReplaysTheSeedsExperimentAndReadsBackEveryAcknowledgedWrite() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int exit = new SeedExperiment(new PrintStream(buf, true, StandardCharsets.UTF_8), 300).run(dir);
    String story = buf.toString(StandardCharsets.UTF_8);
    System.out.print(story);
    assertEquals(0, exit, story);
    assertTrue(story.contains("killing node a's redis-server"), story);
    assertTrue(story.contains("node b: taking over from a"), "the promotion is narrated with its cause");
    assertTrue(story.contains("read back through the endpoint: 0 missing; on the replica: 0 missing"), story);
    assertTrue(story.contains("RESULT: nothing acknowledged was lost"), story);
  }
}
