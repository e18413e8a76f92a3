package dev.redisha.endpoint.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent configured with a VIP but without CAP_NET_ADMIN/CAP_NET_RAW refuses to start, saying why. */
class VipCapabilityTest {
  @TempDir Path dir;

  private static int freePort() {
    return dev.redisha.redis.FreePorts.tcp();
  }

  @Test
  void agentWithoutNetworkCapabilitiesRefusesToStartWithAClearMessage() throws Exception {
    boolean tools = Files.isExecutable(Path.of("/usr/bin/setpriv"));
    if (!tools) {
      System.out.println("SKIPPED VipCapabilityTest: needs setpriv (util-linux) to drop capabilities");
    }
    assumeTrue(tools, "needs setpriv");
    Path key = Files.writeString(dir.resolve("key.txt"), "0123456789abcdef0123456789abcdef");
    Path config = Files.writeString(dir.resolve("node.yaml"), String.join("\n",
        "group: capcheck",
        "node_id: a",
        "state_dir: " + dir.resolve("state"),
        "redis: {host: 127.0.0.1, port: 1, mode: external}",
        "peers: [{node_id: b, advert_address: \"127.0.0.1:9\", redis: \"127.0.0.1:2\"}]",
        "coordination: {listen: \"127.0.0.1:" + freePort() + "\", key_file: " + key + "}",
        "api: {listen: \"127.0.0.1:" + freePort() + "\"}",
        "endpoints: {vip: {address: 198.18.0.100/24, interface: lo}}",
        ""));
    Process p = new ProcessBuilder(List.of("setpriv", "--inh-caps=-all", "--ambient-caps=-all",
        "--bounding-set=-net_admin,-net_raw", "--",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.redisha.cli.Main", "run", "--config", config.toString()))
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the agent should exit, not run");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(3, p.exitValue(), out);
    assertTrue(out.contains("CAP_NET_ADMIN") && out.contains("CAP_NET_RAW"), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("redis-ha: cannot start the agent of")), out);
  }
}
