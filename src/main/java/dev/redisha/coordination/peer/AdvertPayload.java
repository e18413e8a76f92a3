package dev.redisha.coordination.peer;

import dev.redisha.coordination.AgentState;
import dev.redisha.coordination.Maintenance;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * -- appended fields (an advert may end before them: the sender predates them) --
 * maintenanceVersion:i64 maintenancePaused:u8 maintenanceBy:str maintenanceAtMillis:i64
 * heardBootCount:u16 (nodeId:str bootId:i64)*
 * scheduledTo:str scheduledAtMillis:i64 scheduledBy:str lastScheduleOutcome:str
 * </pre>
 *
 * where str is a u16 byte count followed by that many bytes of UTF-8, and flags holds redisUp
 * (bit 0), masterLinkUp (1), persisting (2), wantsMaster (3) and holdDown (4).
 *
 * <p>Forward compatible within version 1, so a rolling upgrade never looks like a dead peer:
 * fields are only ever appended, and a reader ignores trailing bytes and flag bits it does not
 * know (the MAC covers them, so they are the sender's, not an attacker's). A group of fields is
 * either whole or absent; a payload that ends inside one is malformed.
 *
 * <p>The state travels by name rather than ordinal so that reordering {@link AgentState} can never
 * silently change what a peer reads; a name this agent does not know is malformed, not guessed.
 */
final class AdvertPayload {
  private static final int REDIS_UP = 1;
  private static final int MASTER_LINK_UP = 1 << 1;
  private static final int PERSISTING = 1 << 2;
  private static final int WANTS_MASTER = 1 << 3;
  private static final int HOLD_DOWN = 1 << 4;
  private static final int MAX_HEARD_BOOTS = 64;
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
      Maintenance m = a.maintenance();
      out.putLong(m.version());
      out.put((byte) (m.paused() ? 1 : 0));
      putString(out, m.by(), "maintenance.by");
      out.putLong(m.atMillis());
      if (a.heardBoots().size() > MAX_HEARD_BOOTS) {
        throw new IllegalArgumentException("advert of " + a.nodeId() + " echoes too many peers");
      }
      out.putShort((short) a.heardBoots().size());
      for (Map.Entry<String, Long> e : a.heardBoots().entrySet()) {
        putString(out, e.getKey(), "heardBoots");
        out.putLong(e.getValue());
      }
      putString(out, m.scheduledTo(), "maintenance.scheduledTo");
      out.putLong(m.scheduledAtMillis());
      putString(out, m.scheduledBy(), "maintenance.scheduledBy");
      putString(out, m.lastScheduleOutcome(), "maintenance.lastScheduleOutcome");
    } catch (BufferOverflowException e) {
      throw new IllegalArgumentException("advert of " + a.nodeId() + " does not fit in a packet");
    }
  }

  /** Reads one advert from the buffer's remaining bytes; bytes after the known fields are ignored. */
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
      String redisRunId = getString(in);
      String redisRole = getString(in);
      String replId = getString(in);
      long replOffset = in.getLong();
      long dataEpoch = in.getLong();
      long keys = in.getLong();
      String handoverTo = getString(in);
      Maintenance maintenance = Maintenance.NONE;
      Map<String, Long> heardBoots = Map.of();
      if (in.hasRemaining()) {
        long version = in.getLong();
        boolean paused = (in.get() & 1) != 0;
        String by = getString(in);
        long at = in.getLong();
        maintenance = new Maintenance(paused, version, by, at);
        int count = in.getShort() & 0xFFFF;
        if (count > MAX_HEARD_BOOTS) {
          throw new MalformedException("too many echoed peers");
        }
        Map<String, Long> boots = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
          boots.put(getString(in), in.getLong());
        }
        heardBoots = boots;
        if (in.hasRemaining()) {
          maintenance = new Maintenance(paused, version, by, at, getString(in), in.getLong(), getString(in),
              getString(in));
        }
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
          (flags & HOLD_DOWN) != 0,
          maintenance,
          heardBoots);
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
