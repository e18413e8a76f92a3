package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.TestAdverts.GROUP;
import static dev.redisha.coordination.peer.TestAdverts.KEY;
import static dev.redisha.coordination.peer.TestAdverts.OTHER_KEY;
import static dev.redisha.coordination.peer.TestAdverts.advert;
import static dev.redisha.coordination.peer.TestAdverts.payloadOf;
import static dev.redisha.coordination.peer.TestAdverts.signedPacket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.redisha.config.Secret;
import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Maintenance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AdvertCodecTest {
  private final AdvertCodec codec = new AdvertCodec(GROUP, KEY);

  @Test
  void roundTripKeepsEveryField() {
    Advert a =
        new Advert(
            GROUP,
            "node-b",
            1_700_000_000_123L,
            99,
            1_700_000_050_000L,
            12,
            "node-a",
            AgentState.HANDING_OVER,
            -5,
            true,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
            "master",
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c",
            Long.MAX_VALUE,
            false,
            -1,
            Long.MIN_VALUE,
            true,
            false,
            "node-c",
            true);
    assertEquals(Verdict.accept(a), codec.decode(codec.encode(a)));
  }

  @Test
  void roundTripEmptyStringsAndNonAsciiNodeIds() {
    Advert a =
        new Advert(
            GROUP,
            "nœud-東京-🚀",
            0,
            0,
            0,
            0,
            "",
            AgentState.STARTING,
            0,
            false,
            "",
            "",
            "",
            0,
            false,
            0,
            0,
            false,
            false,
            "",
            false);
    assertEquals(Verdict.accept(a), codec.decode(codec.encode(a)));

    AdvertCodec emptyGroup = new AdvertCodec("", KEY);
    Advert empty = TestAdverts.withGroup(a, "");
    assertEquals(Verdict.accept(empty), emptyGroup.decode(emptyGroup.encode(empty)));
  }

  @Test
  void roundTripEveryStateAndFlagCombination() {
    for (AgentState state : AgentState.values()) {
      for (int flags = 0; flags < 32; flags++) {
        Advert a =
            new Advert(
                GROUP,
                "n",
                1,
                2,
                3,
                4,
                "m",
                state,
                Integer.MIN_VALUE,
                (flags & 1) != 0,
                "r",
                "slave",
                "x",
                5,
                (flags & 2) != 0,
                6,
                7,
                (flags & 4) != 0,
                (flags & 8) != 0,
                "h",
                (flags & 16) != 0);
        assertEquals(Verdict.accept(a), codec.decode(codec.encode(a)), state + " " + flags);
      }
    }
  }

  @Test
  void packetFollowsTheDocumentedFormat() {
    byte[] packet = codec.encode(advert("node-b", 1, 1, 1));
    byte[] payload = payloadOf(packet);

    assertArrayEquals("RHA1".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(packet, 4));
    assertEquals(1, packet[4]);
    assertEquals(payload.length, ((packet[5] & 0xFF) << 8) | (packet[6] & 0xFF));
    assertArrayEquals(signedPacket(payload, KEY), packet, "tag is HMAC-SHA256 of header+payload");
  }

  @Test
  void advertsWithNodeIdsOfNormalLengthFitInOnePacket() {
    String id = "東".repeat(64);
    Advert a =
        new Advert(
            "g".repeat(64),
            id,
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            id,
            AgentState.HANDING_OVER,
            Integer.MAX_VALUE,
            true,
            "f".repeat(40),
            "master",
            "e".repeat(40),
            Long.MAX_VALUE,
            true,
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            true,
            true,
            id,
            true);
    AdvertCodec big = new AdvertCodec(a.group(), KEY);

    byte[] packet = big.encode(a);

    assertTrue(packet.length <= AdvertCodec.MAX_PACKET_BYTES, packet.length + " bytes");
    assertEquals(Verdict.accept(a), big.decode(packet));
  }

  @Test
  void encodeRefusesWhatCannotBeSentFaithfully() {
    Advert base = advert("node-b", 1, 1, 1);
    assertThrows(
        IllegalArgumentException.class,
        () -> codec.encode(TestAdverts.withGroup(base, "other-group")));
    assertThrows(
        IllegalArgumentException.class, () -> codec.encode(withNodeId(base, "n".repeat(1200))));
    assertThrows(IllegalArgumentException.class, () -> codec.encode(withNodeId(base, null)));
    assertThrows(IllegalArgumentException.class, () -> codec.encode(withNodeId(base, "bad\uD800")));
  }

  @Test
  void emptyKeyIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new AdvertCodec(GROUP, new Secret(new byte[0], "t")));
  }

  @Test
  void packetSignedWithAnotherKeyIsBadMac() {
    byte[] forged = new AdvertCodec(GROUP, OTHER_KEY).encode(advert("node-b", 1, 1, 1));
    assertEquals(Verdict.reject(RejectReason.BAD_MAC), codec.decode(forged));
  }

  @Test
  void everySingleBitFlipIsRejected() {
    byte[] packet = codec.encode(advert("node-b", 1, 1, 1));
    for (int bit = 0; bit < packet.length * 8; bit++) {
      byte[] flipped = packet.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      int at = bit / 8;
      RejectReason expected =
          at < 4
              ? RejectReason.BAD_MAGIC
              : at == 4
                  ? RejectReason.BAD_VERSION
                  : at < 7 ? RejectReason.BAD_LENGTH : RejectReason.BAD_MAC;
      assertEquals(Verdict.reject(expected), codec.decode(flipped), "bit " + bit);
    }
  }

  @Test
  void headerProblemsHaveTheirOwnReasons() {
    byte[] packet = codec.encode(advert("node-b", 1, 1, 1));
    for (int length = 0; length < 39; length++) {
      assertEquals(
          Verdict.reject(RejectReason.TOO_SHORT), codec.decode(Arrays.copyOf(packet, length)));
    }
    assertEquals(
        Verdict.reject(RejectReason.BAD_LENGTH),
        codec.decode(Arrays.copyOf(packet, packet.length - 1)));
    assertEquals(
        Verdict.reject(RejectReason.BAD_LENGTH),
        codec.decode(Arrays.copyOf(packet, packet.length + 1)));
    byte[] version2 = packet.clone();
    version2[4] = 2;
    assertEquals(Verdict.reject(RejectReason.BAD_VERSION), codec.decode(version2));
  }

  @Test
  void authenticPacketOverTheSizeLimitIsBadLength() {
    byte[] payload = new byte[AdvertCodec.MAX_PACKET_BYTES];
    assertEquals(
        Verdict.reject(RejectReason.BAD_LENGTH), codec.decode(signedPacket(payload, KEY)));
  }

  @Test
  void decodeReadsOnlyTheGivenRange() {
    byte[] packet = codec.encode(advert("node-b", 1, 1, 1));
    byte[] framed = new byte[packet.length + 20];
    Arrays.fill(framed, (byte) 0x5A);
    System.arraycopy(packet, 0, framed, 10, packet.length);

    assertEquals(
        Verdict.accept(advert("node-b", 1, 1, 1)), codec.decode(framed, 10, packet.length));
  }

  @Test
  void randomGarbageNeverThrowsAndIsAlwaysRejected() {
    Random random = new Random(20240601L);
    for (int i = 0; i < 5000; i++) {
      byte[] garbage = new byte[random.nextInt(2001)];
      random.nextBytes(garbage);
      if (i % 3 == 0 && garbage.length >= 7) {
        // A third get a plausible header so the fuzz also reaches the length and MAC checks.
        System.arraycopy("RHA1".getBytes(StandardCharsets.US_ASCII), 0, garbage, 0, 4);
        garbage[4] = 1;
        if (i % 2 == 0) {
          int payloadLength = garbage.length - 39;
          garbage[5] = (byte) (payloadLength >>> 8);
          garbage[6] = (byte) payloadLength;
        }
      }
      assertFalse(codec.decode(garbage).accepted(), "garbage " + i);
    }
  }

  @Test
  void authenticGarbagePayloadsNeverThrowAndAreMalformed() {
    // Signed with the right key, so this fuzzes the parser itself, which the MAC otherwise guards.
    Random random = new Random(7L);
    for (int i = 0; i < 5000; i++) {
      byte[] payload = new byte[random.nextInt(AdvertCodec.MAX_PACKET_BYTES - 39 + 1)];
      random.nextBytes(payload);
      assertEquals(
          Verdict.reject(RejectReason.MALFORMED),
          codec.decode(signedPacket(payload, KEY)),
          "payload " + i);
    }
  }

  @Test
  void authenticButDamagedPayloadsAreMalformed() {
    Advert a = advert("node-b", 1, 1, 1);
    byte[] payload = payloadOf(codec.encode(a));

    // The appended fields of an advert without maintenance state or echoes: 8 + 1 + 2 + 8 + 2.
    int withoutAppendedFields = payload.length - SCHEDULE_BYTES - 21;
    for (int length = 0; length < payload.length; length++) {
      if (length == withoutAppendedFields || length == payload.length - SCHEDULE_BYTES) {
        continue; // an advert from an agent that predates (some of) the appended fields; tested below
      }
      assertEquals(
          Verdict.reject(RejectReason.MALFORMED),
          codec.decode(signedPacket(Arrays.copyOf(payload, length), KEY)),
          "truncated to " + length);
    }

    int state = indexOf(payload, "REPLICA");
    byte[] unknownState = payload.clone();
    unknownState[state + 6] = 'X';
    assertMalformed(unknownState, "unknown state name");


    byte[] badUtf8 = payload.clone();
    badUtf8[indexOf(payload, "node-b")] = (byte) 0xFF;
    assertMalformed(badUtf8, "invalid UTF-8");

    byte[] hugeString = payload.clone();
    hugeString[0] = (byte) 0xFF;
    hugeString[1] = (byte) 0xFF;
    assertMalformed(hugeString, "string longer than the payload");
  }

  @Test
  void maintenanceStateAndBootEchoesRoundTrip() {
    Advert a =
        advert("node-b", 7, 3, 1)
            .withMaintenance(new Maintenance(true, 4, "node-a", 1_700_000_000_000L))
            .withHeardBoots(java.util.Map.of("node-a", 123L, "node-c", 456L));
    assertEquals(Verdict.accept(a), codec.decode(codec.encode(a)));
  }

  @Test
  void advertOfANewerAgentWithAnExtraFieldAndFlagIsAcceptedWithTheFieldsKnownHere() {
    // A rolling upgrade: the peer's agent appends a field this one does not know and sets a new
    // flag bit. The MAC covers both; the advert must not be dropped (a dropped advert is a
    // silent peer).
    Advert a = advert("node-b", 1, 1, 1).withMaintenance(new Maintenance(true, 2, "node-b", 5));
    byte[] payload = payloadOf(codec.encode(a));
    byte[] newer = Arrays.copyOf(payload, payload.length + 9);
    newer[payload.length] = 0x42; // a field of a later release: i64 + u8
    int state = indexOf(payload, "REPLICA");
    newer[state + "REPLICA".length() + 4] |= (byte) 0x80;
    assertEquals(Verdict.accept(a), codec.decode(signedPacket(newer, KEY)));
  }

  @Test
  void advertOfAnOlderAgentWithoutTheAppendedFieldsIsAcceptedWithDefaults() {
    Advert a = advert("node-b", 1, 1, 1);
    byte[] payload = payloadOf(codec.encode(a));
    // The schedule group (three empty strings and an i64), then maintenance and boot echoes.
    byte[] older = Arrays.copyOf(payload, payload.length - SCHEDULE_BYTES - 21);
    Verdict v = codec.decode(signedPacket(older, KEY));
    assertEquals(Verdict.accept(a), v);
    assertEquals(Maintenance.NONE, v.advert().maintenance());
  }

  /** The appended schedule fields with empty strings: scheduledTo, scheduledAtMillis, scheduledBy, outcome. */
  private static final int SCHEDULE_BYTES = 2 + 8 + 2 + 2;

  @Test
  void scheduledSwitchoverRoundTripsAndAnAdvertFromBeforeSchedulesKeepsItsPause() {
    Maintenance m = new Maintenance(true, 4, "node-a", 1_700_000_000_000L)
        .schedule("node-b", 1_800_000_000_000L, "node-c").unscheduled("node-a", "refused: node-b lags")
        .schedule("node-b", 1_800_000_500_000L, "node-a");
    Advert a = advert("node-b", 7, 3, 1).withMaintenance(m);
    Verdict v = codec.decode(codec.encode(a));
    assertEquals(Verdict.accept(a), v);
    assertEquals("node-b", v.advert().maintenance().scheduledTo());
    assertEquals("refused: node-b lags", v.advert().maintenance().lastScheduleOutcome());

    Advert paused = advert("node-b", 1, 1, 1).withMaintenance(new Maintenance(true, 2, "node-b", 5));
    byte[] payload = payloadOf(codec.encode(paused));
    byte[] beforeSchedules = Arrays.copyOf(payload, payload.length - SCHEDULE_BYTES);
    Verdict old = codec.decode(signedPacket(beforeSchedules, KEY));
    assertEquals(Verdict.accept(paused), old);
    assertTrue(old.advert().maintenance().paused());
    assertFalse(old.advert().maintenance().scheduled());
  }

  @Test
  void authenticAdvertOfAnotherGroupIsWrongGroup() {
    AdvertCodec other = new AdvertCodec("other-group", KEY);
    byte[] packet = other.encode(TestAdverts.withGroup(advert("node-b", 1, 1, 1), "other-group"));
    assertEquals(Verdict.reject(RejectReason.WRONG_GROUP), codec.decode(packet));
  }

  @Test
  void oneCodecServesSeveralThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String node = "node-" + t;
        results.add(
            pool.submit(
                () -> {
                  for (int seq = 0; seq < 2000; seq++) {
                    Advert a = advert(node, 1, seq, seq);
                    assertEquals(Verdict.accept(a), codec.decode(codec.encode(a)));
                  }
                  return null;
                }));
      }
      for (Future<?> r : results) {
        r.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void assertMalformed(byte[] payload, String what) {
    assertEquals(
        Verdict.reject(RejectReason.MALFORMED), codec.decode(signedPacket(payload, KEY)), what);
  }

  private static int indexOf(byte[] haystack, String ascii) {
    byte[] needle = ascii.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError(ascii + " not in payload");
  }

  private static Advert withNodeId(Advert a, String nodeId) {
    return new Advert(
        a.group(),
        nodeId,
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
}
