package dev.redisha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** F12 (config part) at the command line: what an operator sees from {@code check-config}. */
class CheckConfigCommandTest {
  @TempDir Path dir;

  @Test
  void badConfigExitsNonZeroNamingFileFieldAndExpectation() throws Exception {
    Path key = Files.writeString(dir.resolve("key.txt"), "0123456789abcdef0123456789abcdef");
    Path bad = Files.writeString(dir.resolve("node-x.yaml"), String.join("\n",
        "group: demo",
        "node_id: x",
        "priority: 900",
        "peers:",
        "  - node_id: y",
        "    advert_address: 127.0.0.1:notaport",
        "    redis: 127.0.0.1:6381",
        "coordination:",
        "  key_file: " + key,
        "  advert_interval_ms: fast",
        ""));
    Run r = run("check-config", bad.toString());
    assertEquals(1, r.exit);
    assertTrue(r.out.contains("node-x.yaml: priority:"), r.out);
    assertTrue(r.out.contains("peers[0].advert_address"), r.out);
    assertTrue(r.out.contains("coordination.advert_interval_ms"), r.out);
  }

  @Test
  void theShippedExamplesAreValid() {
    Run r = run("check-config", "examples/node-a.yaml", "examples/node-b.yaml");
    assertEquals(0, r.exit, r.out);
    assertTrue(r.out.contains("examples/node-a.yaml: ok"), r.out);
  }

  private record Run(int exit, String out) {}

  private static Run run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int exit = new CommandLine(new Main()).execute(args);
      return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }
}
