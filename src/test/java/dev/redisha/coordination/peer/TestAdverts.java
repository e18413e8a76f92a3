package dev.redisha.coordination.peer;

import dev.redisha.config.Secret;
import dev.redisha.coordination.AgentState;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Adverts and packets for the wire tests. */
final class TestAdverts {
  static final String GROUP = "cache-eu";
  static final Secret KEY = secret("correct horse battery staple");
  static final Secret OTHER_KEY = secret("a different group key");

  private TestAdverts() {}

  static Secret secret(String key) {
    return new Secret(key.getBytes(StandardCharsets.UTF_8), "test");
  }

  /** A typical replica's advert. */
  static Advert advert(String nodeId, long bootId, long seq, long sentAtMillis) {
    return new Advert(
        GROUP,
        nodeId,
        bootId,
        seq,
        sentAtMillis,
        7,
        "node-a",
        AgentState.REPLICA,
        100,
        true,
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
        "slave",
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c",
        123_456_789L,
        true,
        7,
        42_000,
        true,
        false,
        "",
        false);
  }

  static Advert withGroup(Advert a, String group) {
    return new Advert(
        group,
        a.nodeId(),
        a.bootId(),
        a.seq(),
        a.sentAtMillis(),
        a.epoch(),
        a.epochMaster(),
        a.state(),
        a.priority(),
        a.redisUp(),
        a.redisRunId(),
        a.redisRole(),
        a.replId(),
        a.replOffset(),
        a.masterLinkUp(),
        a.dataEpoch(),
        a.keys(),
        a.persisting(),
        a.wantsMaster(),
        a.handoverTo(),
        a.holdDown());
  }

  /**
   * Frames and signs an arbitrary payload exactly as the wire format says, written independently
   * of the codec so the tests pin the format rather than mirror the implementation.
   */
  static byte[] signedPacket(byte[] payload, Secret key) {
    byte[] packet = new byte[7 + payload.length + 32];
    packet[0] = 'R';
    packet[1] = 'H';
    packet[2] = 'A';
    packet[3] = '1';
    packet[4] = 1;
    packet[5] = (byte) (payload.length >>> 8);
    packet[6] = (byte) payload.length;
    System.arraycopy(payload, 0, packet, 7, payload.length);
    byte[] tag = hmac(key, Arrays.copyOf(packet, 7 + payload.length));
    System.arraycopy(tag, 0, packet, 7 + payload.length, 32);
    return packet;
  }

  /** The payload part of a packet. */
  static byte[] payloadOf(byte[] packet) {
    return Arrays.copyOfRange(packet, 7, packet.length - 32);
  }

  static byte[] hmac(Secret key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
