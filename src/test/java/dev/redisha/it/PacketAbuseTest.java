package dev.redisha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.HostPort;
import dev.redisha.config.Secret;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.peer.Advert;
import dev.redisha.coordination.peer.AdvertCodec;
import dev.redisha.coordination.peer.PeerCoordinator;
import dev.redisha.testsupport.Await;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F12: garbage, forged and replayed adverts are dropped and counted; the group does not move. */
class PacketAbuseTest {
  @TempDir Path dir;

  @Test
  void garbageForgedAndReplayedAdvertsAreDroppedAndCountedWhileTheAgentKeepsWorking() throws Exception {
    try (SteadyPair p = SteadyPair.managed(dir, c -> c);
        DatagramSocket attacker = new DatagramSocket()) {
      TestGroup g = p.group();
      TestNode a = p.a();
      TestNode b = p.b();
      long epoch = a.agent.status().epoch();
      HostPort target = a.config.coordination().listen();
      InetAddress host = InetAddress.getByName(target.host());

      // A forged advert: well formed, but signed with a key the group does not use, claiming a
      // much higher epoch that would make a step down if it were believed.
      AdvertCodec forger = new AdvertCodec("test", new Secret("not-the-group-key-0123456789".getBytes(StandardCharsets.UTF_8), "forger"));
      byte[] forged = forger.encode(takeover("b", 1, 1, System.currentTimeMillis()));
      attacker.send(new DatagramPacket(forged, forged.length, host, target.port()));
      // A replay: signed with the real key but from an older boot of b than the one a has heard.
      AdvertCodec real = new AdvertCodec("test", a.config.coordination().key());
      byte[] replayed = real.encode(takeover("b", 1, 1, System.currentTimeMillis()));
      attacker.send(new DatagramPacket(replayed, replayed.length, host, target.port()));

      Random random = new Random(12);
      for (int i = 0; i < 2000; i++) {
        if (i % 100 == 0) {
          // Paced so the kernel's socket buffer does not overflow: the agent must see each one.
          long seen = i;
          Await.until("agent keeps up with the junk", Duration.ofSeconds(10),
              () -> ((PeerCoordinator) a.agent.coordinator()).droppedPackets().values().stream().mapToLong(Long::longValue).sum() >= seen);
        }
        byte[] junk = new byte[random.nextInt(1500)];
        random.nextBytes(junk);
        attacker.send(new DatagramPacket(junk, junk.length, host, target.port()));
      }
      Await.until("drops counted", Duration.ofSeconds(10), () -> {
        Map<String, Long> d = ((PeerCoordinator) a.agent.coordinator()).droppedPackets();
        return d.getOrDefault("bad_mac", 0L) >= 1 && d.getOrDefault("replayed", 0L) >= 1
            && d.values().stream().mapToLong(Long::longValue).sum() >= 2002;
      });
      Map<String, Long> dropped = ((PeerCoordinator) a.agent.coordinator()).droppedPackets();
      System.out.println("F12: packets dropped by reason: " + dropped);
      int acceptedBefore = (int) ((PeerCoordinator) a.agent.coordinator()).acceptedPackets();
      Await.until("b's real adverts still accepted", Duration.ofSeconds(5),
          () -> ((PeerCoordinator) a.agent.coordinator()).acceptedPackets() > acceptedBefore + 5);
      assertEquals(AgentState.MASTER, a.agent.status().state(), "a is still master");
      assertEquals(epoch, a.agent.status().epoch(), "no epoch was taken from a forged or replayed advert");
      assertTrue(b.agent.status().state() == AgentState.REPLICA, "b is still a replica");
    }
  }

  private static Advert takeover(String node, long bootId, long seq, long now) {
    return new Advert("test", node, bootId, seq, now, 99, node, AgentState.MASTER, 255, true, "forged-run-id",
        "master", "forged", 1L << 40, false, 99, 0, true, false, "", false);
  }
}
