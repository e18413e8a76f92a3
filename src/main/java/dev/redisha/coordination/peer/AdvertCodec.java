package dev.redisha.coordination.peer;

import dev.redisha.config.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns adverts into authenticated datagrams and back (DESIGN §3 rule 6). A packet is:
 *
 * <pre>
 * "RHA1" | version u8 (1) | payload length u16 | payload | HMAC-SHA256 tag (32 bytes)
 * </pre>
 *
 * The tag covers every byte before it and is keyed by the group's shared key; the payload layout
 * is described in {@link AdvertPayload}. A packet is at most {@link #MAX_PACKET_BYTES} so that it
 * never needs IP fragmentation (lost fragments lose the whole advert).
 *
 * <p>Thread-safe. A {@link Mac} is stateful, so the codec keeps one and lets one thread at a time
 * use it (the sender and the receive thread are the only users, a MAC over a small packet takes
 * microseconds, and one shared instance keeps the key in one place instead of one copy per thread).
 */
public final class AdvertCodec {
  public static final int MAX_PACKET_BYTES = 1200;
  public static final byte VERSION = 1;
  static final byte[] MAGIC = "RHA1".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_BYTES = MAGIC.length + 1 + 2;
  static final int TAG_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private final String group;
  private final Mac mac;

  /**
   * @param group the group this agent belongs to; authentic adverts of another group are rejected
   * @param key the group's shared HMAC key, not empty
   */
  public AdvertCodec(String group, Secret key) {
    this.group = Objects.requireNonNull(group, "group");
    byte[] keyBytes = key.bytes();
    try {
      if (keyBytes.length == 0) {
        throw new IllegalArgumentException("advert key (" + key.origin() + ") is empty");
      }
      mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(keyBytes, ALGORITHM));
    } catch (GeneralSecurityException e) {
      // Every Java runtime ships HmacSHA256, so this is a broken installation, not bad input.
      throw new IllegalStateException(ALGORITHM + " unavailable", e);
    } finally {
      Arrays.fill(keyBytes, (byte) 0);
    }
  }

  /** The group this codec signs and accepts. */
  public String group() {
    return group;
  }

  /**
   * Builds the signed packet for an advert.
   *
   * @throws IllegalArgumentException if the advert belongs to another group, has a null or
   *     non-Unicode string, or does not fit in {@link #MAX_PACKET_BYTES}
   */
  public byte[] encode(Advert advert) {
    if (!group.equals(advert.group())) {
      throw new IllegalArgumentException(
          "advert of group " + advert.group() + " given to the codec of group " + group);
    }
    ByteBuffer buf = ByteBuffer.allocate(MAX_PACKET_BYTES);
    buf.put(MAGIC).put(VERSION).putShort((short) 0);
    // Leave room for the tag so an advert that fits the limit with its tag is the only kind
    // that encodes.
    buf.limit(MAX_PACKET_BYTES - TAG_BYTES);
    AdvertPayload.write(advert, buf);
    int signedLength = buf.position();
    buf.putShort(MAGIC.length + 1, (short) (signedLength - HEADER_BYTES));
    byte[] packet = Arrays.copyOf(buf.array(), signedLength + TAG_BYTES);
    synchronized (mac) {
      mac.update(packet, 0, signedLength);
      try {
        mac.doFinal(packet, signedLength);
      } catch (ShortBufferException e) {
        throw new IllegalStateException("tag space miscounted", e);
      }
    }
    return packet;
  }

  /** Same as {@link #decode(byte[], int, int)} over the whole array. */
  public Verdict decode(byte[] packet) {
    return decode(packet, 0, packet.length);
  }

  /**
   * Verifies and parses one received datagram. Never throws for any packet content; only an
   * invalid array range (a caller bug) throws. The tag is checked, in constant time, before a
   * single payload byte is parsed, so an unauthenticated sender can only ever reach the fixed-size
   * header checks.
   */
  public Verdict decode(byte[] buf, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, buf.length);
    if (length < HEADER_BYTES + TAG_BYTES) {
      return Verdict.reject(RejectReason.TOO_SHORT);
    }
    if (!Arrays.equals(buf, offset, offset + MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return Verdict.reject(RejectReason.BAD_MAGIC);
    }
    if (buf[offset + MAGIC.length] != VERSION) {
      return Verdict.reject(RejectReason.BAD_VERSION);
    }
    int payloadLength =
        ((buf[offset + MAGIC.length + 1] & 0xFF) << 8) | (buf[offset + MAGIC.length + 2] & 0xFF);
    if (length > MAX_PACKET_BYTES || HEADER_BYTES + payloadLength + TAG_BYTES != length) {
      return Verdict.reject(RejectReason.BAD_LENGTH);
    }
    int signedLength = length - TAG_BYTES;
    byte[] expected;
    synchronized (mac) {
      mac.update(buf, offset, signedLength);
      expected = mac.doFinal();
    }
    byte[] actual = Arrays.copyOfRange(buf, offset + signedLength, offset + length);
    if (!MessageDigest.isEqual(expected, actual)) {
      return Verdict.reject(RejectReason.BAD_MAC);
    }
    Advert advert;
    try {
      advert = AdvertPayload.read(ByteBuffer.wrap(buf, offset + HEADER_BYTES, payloadLength));
    } catch (AdvertPayload.MalformedException e) {
      return Verdict.reject(RejectReason.MALFORMED);
    }
    if (!group.equals(advert.group())) {
      return Verdict.reject(RejectReason.WRONG_GROUP);
    }
    return Verdict.accept(advert);
  }
}
