package dev.redisha.redis;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for servers the demo (and the tests) start later: a redis-server, an agent's
 * API or advert socket. Picked at random below Linux' ephemeral range (32768-60999): a port from
 * {@code bind(0)} comes from that range, where every outgoing connection (a client, a replica's
 * link) also takes its local port, so a busy run could lose the port to one of its own
 * connections before the server binds it ("Address already in use"). Never handed out twice in
 * one JVM.
 */
public final class FreePorts {
  private static final int LOW = 20_000;
  private static final int HIGH = 32_767;
  private static final int ATTEMPTS = 200;
  private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port free for TCP (and UDP) on 127.0.0.1 a moment ago. */
  public static int tcp() {
    return pick();
  }

  /** A port free for UDP (and TCP) on 127.0.0.1 a moment ago. */
  public static int udp() {
    return pick();
  }

  private static int pick() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int i = 0; i < ATTEMPTS; i++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH + 1);
      if (!handedOut.add(port)) {
        continue;
      }
      try (ServerSocket tcp = new ServerSocket();
          DatagramSocket udp = new DatagramSocket(null)) {
        tcp.bind(new InetSocketAddress(loopback, port), 1);
        udp.bind(new InetSocketAddress(loopback, port));
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free loopback port in " + LOW + "-" + HIGH + " after " + ATTEMPTS + " attempts");
  }
}
