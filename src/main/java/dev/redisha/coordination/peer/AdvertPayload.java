package dev.redisha.coordination.peer;

import dev.redisha.coordination.AgentState;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The field layout of an advert inside a packet (wire version 1), big-endian:
 *
 * <pre>
 * group:str nodeId:str bootId:i64 seq:i64 sentAtMillis:i64 epoch:i64 epochMaster:str state:str
 * priority:i32 flags:u8 redisRunId:str redisRole:str replId:str replOffset:i64 dataEpoch:i64
 * keys:i64 handoverTo:str
 * </pre>
 *
 * where str is a u16 byte count followed by that many bytes of UTF-8, and flags holds redisUp
 * (bit 0), masterLinkUp (1), persisting (2), wantsMaster (3) and holdDown (4).
 *
 * <p>The state travels by name rather than ordinal so that reordering {@link AgentState} can never
 * silently change what a peer reads; a name this agent does not know is malformed, not guessed.
 * Reading is strict (unknown flag bits, invalid UTF-8 and trailing bytes are all malformed)
 * because the payload has already passed the MAC, so anything odd is a bug worth surfacing.
 */
final class AdvertPayload {
  private static final int REDIS_UP = 1;
  private static final int MASTER_LINK_UP = 1 << 1;
  private static final int PERSISTING = 1 << 2;
  private static final int WANTS_MASTER = 1 << 3;
  private static final int HOLD_DOWN = 1 << 4;
  private static final int KNOWN_FLAGS =
      REDIS_UP | MASTER_LINK_UP | PERSISTING | WANTS_MASTER | HOLD_DOWN;
  private static final int MAX_STRING_BYTES = 0xFFFF;

  private AdvertPayload() {}

  /** Thrown by {@link #read} for a payload that does not parse; never escapes the codec. */
  static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Appends the advert's fields at the buffer's position.
   *
   * @throws IllegalArgumentException if a string is null or not valid Unicode, or the fields do
   *     not fit in the buffer
   */
  static void write(Advert a, ByteBuffer out) {
    try {
      putString(out, a.group(), "group");
      putString(out, a.nodeId(), "nodeId");
      out.putLong(a.bootId());
      out.putLong(a.seq());
      out.putLong(a.sentAtMillis());
      out.putLong(a.epoch());
      putString(out, a.epochMaster(), "epochMaster");
      if (a.state() == null) {
        throw new IllegalArgumentException("advert field state is null");
      }
      putString(out, a.state().name(), "state");
      out.putInt(a.priority());
      out.put((byte) flags(a));
      putString(out, a.redisRunId(), "redisRunId");
      putString(out, a.redisRole(), "redisRole");
      putString(out, a.replId(), "replId");
      out.putLong(a.replOffset());
      out.putLong(a.dataEpoch());
      out.putLong(a.keys());
      putString(out, a.handoverTo(), "handoverTo");
    } catch (BufferOverflowException e) {
      throw new IllegalArgumentException("advert of " + a.nodeId() + " does not fit in a packet");
    }
  }

  /** Reads exactly the buffer's remaining bytes as one advert. */
  static Advert read(ByteBuffer in) throws MalformedException {
    try {
      String group = getString(in);
      String nodeId = getString(in);
      long bootId = in.getLong();
      long seq = in.getLong();
      long sentAtMillis = in.getLong();
      long epoch = in.getLong();
      String epochMaster = getString(in);
      AgentState state = state(getString(in));
      int priority = in.getInt();
      int flags = in.get() & 0xFF;
      if ((flags & ~KNOWN_FLAGS) != 0) {
        throw new MalformedException("unknown flag bits");
      }
      String redisRunId = getString(in);
      String redisRole = getString(in);
      String replId = getString(in);
      long replOffset = in.getLong();
      long dataEpoch = in.getLong();
      long keys = in.getLong();
      String handoverTo = getString(in);
      if (in.hasRemaining()) {
        throw new MalformedException("trailing bytes");
      }
      return new Advert(
          group,
          nodeId,
          bootId,
          seq,
          sentAtMillis,
          epoch,
          epochMaster,
          state,
          priority,
          (flags & REDIS_UP) != 0,
          redisRunId,
          redisRole,
          replId,
          replOffset,
          (flags & MASTER_LINK_UP) != 0,
          dataEpoch,
          keys,
          (flags & PERSISTING) != 0,
          (flags & WANTS_MASTER) != 0,
          handoverTo,
          (flags & HOLD_DOWN) != 0);
    } catch (BufferUnderflowException e) {
      throw new MalformedException("truncated");
    }
  }

  private static int flags(Advert a) {
    return (a.redisUp() ? REDIS_UP : 0)
        | (a.masterLinkUp() ? MASTER_LINK_UP : 0)
        | (a.persisting() ? PERSISTING : 0)
        | (a.wantsMaster() ? WANTS_MASTER : 0)
        | (a.holdDown() ? HOLD_DOWN : 0);
  }

  private static AgentState state(String name) throws MalformedException {
    for (AgentState s : AgentState.values()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new MalformedException("unknown state");
  }

  private static void putString(ByteBuffer out, String s, String field) {
    if (s == null) {
      throw new IllegalArgumentException("advert field " + field + " is null");
    }
    ByteBuffer bytes;
    try {
      // A strict encoder, because getBytes() would turn a lone surrogate into '?' and the peer
      // would read a different string than the one this agent meant.
      bytes =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(s));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("advert field " + field + " is not valid Unicode");
    }
    if (bytes.remaining() > MAX_STRING_BYTES) {
      throw new IllegalArgumentException("advert field " + field + " is too long");
    }
    out.putShort((short) bytes.remaining());
    out.put(bytes);
  }

  private static String getString(ByteBuffer in) throws MalformedException {
    int length = in.getShort() & 0xFFFF;
    if (length > in.remaining()) {
      throw new MalformedException("string longer than the payload");
    }
    if (length == 0) {
      return "";
    }
    ByteBuffer bytes = in.slice(in.position(), length);
    in.position(in.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedException("invalid UTF-8");
    }
  }
}
