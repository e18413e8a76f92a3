package dev.redisha.endpoint.vip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VIP's ways of moving and announcing the address, against the real kernel and tools, in two
 * network namespaces joined by a veth pair (198.18.1.0/24): netlink adds and removes the address
 * and says when it was already so; the ip batch helper (the fallback) does the same, reports it in
 * the words {@link VipAddress} accepts, and is replaced when it dies; the packet socket's
 * announcement, and the armed arping's (the fallback, also taken without native access), reach a
 * neighbour and move its ARP entry to this host.
 */
class VipCommandsTest {
  private static final String VIP = "198.18.1.100";
  private final String prefix = "rhav" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
  private final String host = prefix + "h";
  private final String neighbour = prefix + "n";
  private final List<String> created = new ArrayList<>();

  @BeforeEach
  void namespaces() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root) {
      System.out.println("VipCommandsTest skipped: needs root for network namespaces");
    }
    assumeTrue(root, "needs root (network namespaces)");
    assumeTrue(sh("sh", "-c", "command -v arping").exit == 0, "needs arping (iputils-arping)");
    for (String ns : List.of(host, neighbour)) {
      run("ip", "netns", "add", ns);
      created.add(ns);
    }
    run("ip", "-n", host, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", neighbour);
    run("ip", "-n", host, "addr", "add", "198.18.1.1/24", "dev", "eth0");
    run("ip", "-n", neighbour, "addr", "add", "198.18.1.2/24", "dev", "eth0");
    run("ip", "-n", host, "link", "set", "eth0", "up");
    run("ip", "-n", neighbour, "link", "set", "eth0", "up");
  }

  @AfterEach
  void cleanUp() throws Exception {
    // Deleting a namespace ends the processes' network but not the processes: ip netns pids first.
    for (String ns : created) {
      for (String pid : sh("ip", "netns", "pids", ns).out.split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      sh("ip", "netns", "del", ns);
    }
  }

  @Test
  void theBatchHelperAddsAndRemovesTheAddressAndNamesRepeatsInWordsTheEndpointAccepts() throws Exception {
    try (IpBatch ip = new IpBatch(List.of("ip", "-n", host), 2000)) {
      String cidr = VIP + "/32";
      NetCommand.Result add = ip.run(List.of("addr", "add", cidr, "dev", "eth0"));
      assertTrue(add.ok(), add.output());
      assertTrue(addresses().contains(" " + cidr + " "), addresses());

      NetCommand.Result again = ip.run(List.of("addr", "add", cidr, "dev", "eth0"));
      assertFalse(again.ok());
      assertTrue(VipAddress.alreadyAssigned(again.output()), again.output());

      NetCommand.Result del = ip.run(List.of("addr", "del", cidr, "dev", "eth0"));
      assertTrue(del.ok(), del.output());
      assertFalse(addresses().contains(" " + cidr + " "), addresses());

      NetCommand.Result delAgain = ip.run(List.of("addr", "del", cidr, "dev", "eth0"));
      assertFalse(delAgain.ok());
      assertTrue(VipAddress.notAssigned(delAgain.output()), delAgain.output());

      NetCommand.Result noDevice = ip.run(List.of("addr", "add", cidr, "dev", "nosuchdev"));
      assertFalse(noDevice.ok());
      assertTrue(noDevice.output().contains("nosuchdev") || noDevice.output().contains("Cannot find device"),
          noDevice.output());
    }
  }

  @Test
  void aKilledHelperIsReplacedAndTheNextCommandStillTakesEffect() throws Exception {
    try (IpBatch ip = new IpBatch(List.of("ip", "-n", host), 2000)) {
      assertTrue(ip.run(List.of("addr", "add", VIP + "/32", "dev", "eth0")).ok());
      long first = ip.helperPid().orElseThrow();
      ProcessHandle helper = ProcessHandle.of(first).orElseThrow();
      helper.destroyForcibly();
      helper.onExit().get(5, TimeUnit.SECONDS);

      NetCommand.Result del = ip.run(List.of("addr", "del", VIP + "/32", "dev", "eth0"));
      assertTrue(del.ok(), del.output());
      assertFalse(addresses().contains(" " + VIP + "/32 "), addresses());
      assertNotEquals(first, ip.helperPid().orElseThrow());
    }
  }

  @Test
  void theArmedAnnouncementMovesTheNeighboursArpEntryToThisHost() throws Exception {
    run("ip", "-n", host, "addr", "add", VIP + "/32", "dev", "eth0");
    // The neighbour still believes the VIP is at another host's MAC, as after a failover.
    run("ip", "-n", neighbour, "neigh", "replace", VIP, "lladdr", "02:00:00:00:00:01", "dev", "eth0", "nud", "stale");
    String hostMac = mac(host);
    try (ArmedArping arp = new ArmedArping(List.of("ip", "netns", "exec", host), "eth0", VIP)) {
      arp.arm();
      Await.until("the armed shell waits", Duration.ofSeconds(5), () -> !pidsIn(host).isBlank());
      assertTrue(arp.fire());
      Await.until("the neighbour's entry for the VIP names this host", Duration.ofSeconds(5),
          () -> neighbourMac().equals(hostMac));
    }
    assertEquals(hostMac, neighbourMac());
  }

  @Test
  void thePacketSocketsAnnouncementMovesTheNeighboursArpEntryToThisHost() throws Exception {
    run("ip", "-n", host, "addr", "add", VIP + "/32", "dev", "eth0");
    run("ip", "-n", neighbour, "neigh", "replace", VIP, "lladdr", "02:00:00:00:00:01", "dev", "eth0", "nud", "stale");
    String hostMac = mac(host);
    assertEquals(new Out(0, "sent\n"), inHost(PacketArpSend.class, "eth0", VIP));
    // One packet, no retry: the entry moves only if the packet arping -U sends went out.
    Await.until("the neighbour's entry for the VIP names this host", Duration.ofSeconds(5),
        () -> neighbourMac().equals(hostMac));
  }

  @Test
  void netlinkAddsAndRemovesTheAddressAndSaysWhenItWasAlreadySo() throws Exception {
    assertEquals(new Out(0, "DONE ALREADY\n"), inHost(NetlinkAddressRun.class, "eth0", VIP, "32", "add", "add"));
    assertTrue(addresses().contains(" " + VIP + "/32 "), addresses());
    assertEquals(new Out(0, "DONE ALREADY\n"), inHost(NetlinkAddressRun.class, "eth0", VIP, "32", "remove", "remove"));
    assertFalse(addresses().contains(" " + VIP + "/32 "), addresses());
    assertEquals(new Out(1, "failed: no interface eth9\n"), inHost(NetlinkAddressRun.class, "eth9", VIP, "32", "add"));
  }

  @Test
  void withoutNativeAccessTheAnnouncementFallsBackToArpingSaysSoAndStillArrives() throws Exception {
    run("ip", "-n", host, "addr", "add", VIP + "/32", "dev", "eth0");
    run("ip", "-n", neighbour, "neigh", "replace", VIP, "lladdr", "02:00:00:00:00:01", "dev", "eth0", "nud", "stale");
    String hostMac = mac(host);
    // JNA cannot unpack its native library into a path that is a file: as with /tmp mounted noexec.
    Path notADirectory = Files.createTempFile("rha-jna", ".file");
    try {
      Out out = inHost(List.of("-Djna.tmpdir=" + notADirectory), GratuitousArpSend.class, "eth0", VIP);
      assertTrue(out.out().contains("through arping") && out.out().contains("no native access"), out.out());
      assertTrue(out.out().endsWith("sent\n") && !out.out().endsWith("not sent\n"), out.out());
    } finally {
      Files.deleteIfExists(notADirectory);
    }
    Await.until("the neighbour's entry for the VIP names this host", Duration.ofSeconds(5),
        () -> neighbourMac().equals(hostMac));
  }

  /** A JVM in the host namespace: packet and netlink sockets act on the namespace they are opened in. */
  private Out inHost(Class<?> main, String... args) throws Exception {
    return inHost(List.of(), main, args);
  }

  private Out inHost(List<String> jvmOptions, Class<?> main, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host,
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    return sh(cmd.toArray(String[]::new));
  }

  @Test
  void aPacketSocketForAnInterfaceThatDoesNotExistIsRefusedWithItsName() throws Exception {
    assertEquals(new Out(1, "not sent: no interface eth9\n"), inHost(PacketArpSend.class, "eth9", VIP));
  }

  private static String pidsIn(String ns) {
    try {
      return sh("ip", "netns", "pids", ns).out;
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }

  private String addresses() throws Exception {
    return sh("ip", "-n", host, "-o", "addr", "show", "dev", "eth0").out;
  }

  private String mac(String ns) throws Exception {
    String out = sh("ip", "-n", ns, "-o", "link", "show", "eth0").out;
    int i = out.indexOf("link/ether ");
    return out.substring(i + 11, i + 28);
  }

  private String neighbourMac() {
    try {
      String out = sh("ip", "-n", neighbour, "neigh", "show", VIP).out;
      int i = out.indexOf("lladdr ");
      return i < 0 ? "" : out.substring(i + 7, i + 24);
    } catch (Exception e) {
      return "";
    }
  }

  private record Out(int exit, String out) {}

  private static void run(String... cmd) throws Exception {
    Out o = sh(cmd);
    assertEquals(0, o.exit, String.join(" ", cmd) + ": " + o.out);
  }

  private static Out sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Out(-1, out);
    }
    return new Out(p.exitValue(), out);
  }
}
