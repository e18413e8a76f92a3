package dev.redisha.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redisha.testsupport.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's experiment for real: two Redis hosts and a client host on one bridge (network
 * namespaces), one agent per host with the VIP endpoint, the client writing through the VIP.
 * Root only; skipped with a printed reason otherwise.
 */
class VipFailoverLabTest {
  private static final String VIP = VipGroup.VIP;

  /** Under target/, so the agents' logs survive a failed run for diagnosis. */
  private Path dir;

  @BeforeEach
  void needsRoot() throws IOException {
    dir = Files.createDirectories(Path.of("target", "lab", Long.toString(System.nanoTime())).toAbsolutePath());
    if (!NetnsLab.isRoot() || !NetnsLab.toolsPresent()) {
      String why = !NetnsLab.isRoot() ? "not running as root" : "ip or arping not installed";
      System.out.println("SKIPPED VipFailoverLabTest: network namespaces need root and iproute2/arping (" + why + ")");
    }
    assumeTrue(NetnsLab.isRoot() && NetnsLab.toolsPresent(), "needs root, ip and arping");
  }

  @Test
  void vipFollowsTheMasterThroughACrashAndTheFailbackWithNoAckedWriteLost() throws Exception {
    try (NetnsLab lab = new NetnsLab()) {
      VipGroup g = new VipGroup(lab, dir, 4000);
      g.startAgents();
      g.awaitRole("198.18.0.1", "master");
      g.awaitRole(VIP, "master");
      g.awaitInSyncReplica("198.18.0.2");
      Await.until("client ARP entry for the VIP is h1", Duration.ofSeconds(10),
          () -> lab.neighbourMac("cl", VIP).equals(lab.mac("h1")));

      Path acks = dir.resolve("acks.txt");
      Path stop = dir.resolve("stop");
      Process writer = g.startWriter(acks, stop);
      Await.until("1000 writes through the VIP", Duration.ofSeconds(30), () -> VipGroup.lines(acks) >= 1000);
      g.awaitReplicaReceives("198.18.0.2", acks);

      for (long pid : lab.pids("h1", "redis-server")) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      Await.until("VIP answers as master from h2", Duration.ofSeconds(15),
          () -> lab.neighbourMac("cl", VIP).equals(lab.mac("h2")) && g.role(VIP).startsWith("master"));
      int afterFailover = VipGroup.lines(acks);
      Await.until("writes continue through the VIP", Duration.ofSeconds(20), () -> VipGroup.lines(acks) >= afterFailover + 500);

      // h1's agent restarts its Redis as a replica; once in sync it takes the role back.
      Await.until("VIP back on h1", Duration.ofSeconds(40),
          () -> lab.neighbourMac("cl", VIP).equals(lab.mac("h1")) && g.role("198.18.0.1").startsWith("master"));
      Await.until("h2 is h1's replica", Duration.ofSeconds(20), () -> g.role("198.18.0.2").startsWith("slave"));
      int afterFailback = VipGroup.lines(acks);
      Await.until("writes continue after failback", Duration.ofSeconds(20), () -> VipGroup.lines(acks) >= afterFailback + 500);
      Files.writeString(stop, "stop");
      writer.waitFor();

      String verify = g.verify(VIP, acks);
      System.out.println("VIP lab (Redis crash): " + verify.strip());
      assertEquals(0, VipGroup.missing(verify), "acked writes missing after failover and failback: " + verify);
    }
  }

  @Test
  void vipMovesWhenTheMastersHostLosesItsLink() throws Exception {
    try (NetnsLab lab = new NetnsLab()) {
      VipGroup g = new VipGroup(lab, dir, 4000);
      // Left over from an earlier run (a crash, a manual test): h2 will be the replica, so its
      // agent must drop the address at start, or clients would reach h2 and its ARP answers
      // would fight h1's.
      lab.sh("ip", "-n", lab.ns("h2"), "addr", "add", VIP + "/24", "dev", "eth0");
      g.startAgents();
      Await.until("h2's agent removes a VIP it should not hold", Duration.ofSeconds(20),
          () -> !holdsVip(lab, "h2"));
      g.awaitRole(VIP, "master");
      g.awaitInSyncReplica("198.18.0.2");
      Path acks = dir.resolve("acks.txt");
      Path stop = dir.resolve("stop");
      Process writer = g.startWriter(acks, stop);
      Await.until("1000 writes through the VIP", Duration.ofSeconds(30), () -> VipGroup.lines(acks) >= 1000);
      g.awaitReplicaReceives("198.18.0.2", acks);

      String h1RunId = g.runId("198.18.0.1");
      long cutAt = System.currentTimeMillis();
      lab.sh("ip", "-n", lab.ns("h1"), "link", "set", "eth0", "down");
      Await.until("VIP served by h2", Duration.ofSeconds(15),
          () -> lab.neighbourMac("cl", VIP).equals(lab.mac("h2")) && g.role(VIP).startsWith("master"));
      int after = VipGroup.lines(acks);
      Await.until("writes continue on h2", Duration.ofSeconds(20), () -> VipGroup.lines(acks) >= after + 500);

      lab.sh("ip", "-n", lab.ns("h1"), "link", "set", "eth0", "up");
      Await.until("h1 steps down when it hears the newer epoch", Duration.ofSeconds(20),
          () -> g.role("198.18.0.1").startsWith("slave"));
      Await.until("h1 releases the VIP it held when its link went down", Duration.ofSeconds(10),
          () -> !holdsVip(lab, "h1") && holdsVip(lab, "h2"));
      Files.writeString(stop, "stop");
      writer.waitFor();
      String verify = g.verify("198.18.0.2", acks);
      // Lost, by who acknowledged them and when: h1 acked while cut off and in the moment after
      // the link returned, before it heard h2's newer epoch (two masters in a partition: the
      // documented limit of the peer backend); and h1's last writes before the cut that had not
      // reached h2 (asynchronous replication). Nothing else may be lost.
      java.util.Set<String> missingIds = VipGroup.missingIds(verify);
      int byH1Late = 0;
      int lostOther = 0;
      for (String line : Files.readAllLines(acks)) {
        String[] f = line.split(" ");
        if (!missingIds.contains(f[0])) {
          continue;
        }
        boolean byH1 = f.length > 2 && f[2].equals(h1RunId);
        if (byH1 && Long.parseLong(f[1]) >= cutAt - 200) {
          byH1Late++;
        } else {
          lostOther++;
        }
      }
      System.out.println("VIP lab (host loss): " + verify.strip().replaceAll(" ids .*", "")
          + "; acked by h1 from 200 ms before the cut on: " + byH1Late);
      assertEquals(0, lostOther, "acked writes lost that neither replication lag nor the partition explains: " + verify);
    }
  }

  private static boolean holdsVip(NetnsLab lab, String host) {
    return lab.exec(host, Map.of(), "ip", "-4", "addr", "show", "dev", "eth0").contains(" " + VIP + "/");
  }
}
