package dev.redisha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  @Test
  void theShippedExamplesFormOneGroup() {
    Run r = run("check-config", "examples/node-a.yaml", "examples/node-b.yaml");
    assertTrue(r.out.contains("group: ok (2 files agree on group, key and peers)"), r.out);
  }

  @Test
  void filesWithDifferentKeysFailAsAGroupWithoutShowingEitherKey() throws Exception {
    Path a = copyExample("node-a.yaml", "key.txt");
    Files.writeString(dir.resolve("other-key.txt"), "fedcba9876543210fedcba9876543210");
    Path b = copyExample("node-b.yaml", "other-key.txt");

    Run r = run("check-config", a.toString(), b.toString());

    assertEquals(1, r.exit, r.out);
    assertTrue(r.out.contains(a + " and " + b + " use different coordination keys (coordination.key_file"), r.out);
    assertTrue(r.out.contains(a + ": ok") && r.out.contains(b + ": ok"), "each file alone is valid: " + r.out);
    assertFalse(r.out.contains("fedcba98"), r.out);
    assertFalse(r.out.contains(Files.readString(Path.of("examples/key.txt")).strip()), r.out);
  }

  @Test
  void aCopiedNodeIdAndPeerEntriesThatDoNotMatchAreNamedByFileAndField() throws Exception {
    Path a = copyExample("node-a.yaml", "key.txt");
    Path b = copyExample("node-b.yaml", "key.txt");
    // b's entry for a points at an old advert port and Redis port; a's twin claims a again.
    Files.writeString(b, Files.readString(b)
        .replace("advert_address: 127.0.0.1:7401", "advert_address: 127.0.0.1:7409")
        .replace("redis: 127.0.0.1:6380", "redis: 127.0.0.1:6388"));
    Path twin = Files.writeString(dir.resolve("node-a2.yaml"), Files.readString(a)
        .replace("listen: 127.0.0.1:7401", "listen: 127.0.0.1:7411"));

    Run r = run("check-config", a.toString(), b.toString(), twin.toString());

    assertEquals(1, r.exit, r.out);
    assertTrue(r.out.contains(a + " and " + twin + " both have node_id a"), r.out);
    assertTrue(r.out.contains(b + ": peers[0].advert_address is 127.0.0.1:7409 but " + a
        + "'s coordination.listen is 127.0.0.1:7401"), r.out);
    assertTrue(r.out.contains(b + ": peers[0].redis is 127.0.0.1:6388 but " + a
        + "'s Redis is announced at 127.0.0.1:6380"), r.out);
  }

  @Test
  void aNodeMissingFromAnotherNodesPeersIsNamed() throws Exception {
    Path a = copyExample("node-a.yaml", "key.txt");
    Path b = copyExample("node-b.yaml", "key.txt");
    Path c = Files.writeString(dir.resolve("node-c.yaml"), Files.readString(b)
        .replace("node_id: b", "node_id: c").replace("listen: 127.0.0.1:7402", "listen: 127.0.0.1:7403"));

    Run r = run("check-config", a.toString(), b.toString(), c.toString());

    assertEquals(1, r.exit, r.out);
    assertTrue(r.out.contains(a + ": peers: no entry for node c (" + c + ")"), r.out);
    assertTrue(r.out.contains(a + " and " + c + " name different groups") == false, r.out);
  }

  /** An example config in the temp dir, using the given key file there. */
  private Path copyExample(String name, String keyFile) throws Exception {
    Path key = dir.resolve("key.txt");
    if (!Files.exists(key)) {
      Files.copy(Path.of("examples/key.txt"), key);
    }
    String yaml = Files.readString(Path.of("examples", name)).replace("key_file: key.txt", "key_file: " + keyFile);
    return Files.writeString(dir.resolve(name), yaml);
  }

  private record Run(int exit, String out) {}

  private static Run run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.commandLine().execute(args);
      return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(old);
    }
  }
}
