package dev.redisha.endpoint.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few commands the proxy must recognise to move a connection between servers; every other
 * command is {@link #OTHER} and only counted.
 */
enum CommandKind {
  OTHER(false),
  /** Connection state the proxy replays on the new master. */
  AUTH(true, "AUTH"),
  SELECT(true, "SELECT"),
  HELLO(true, "HELLO"),
  /** Subcommand decides: SETNAME/SETINFO are replayed, REPLY/TRACKING/CACHING pin. */
  CLIENT(true, "CLIENT"),
  MULTI(false, "MULTI"),
  /** Ends a transaction and any WATCH. */
  EXEC(false, "EXEC", "DISCARD"),
  WATCH(false, "WATCH"),
  UNWATCH(false, "UNWATCH"),
  /** Resets the connection to its initial state (Redis 6.2+). */
  RESET(false, "RESET"),
  /**
   * The connection leaves request/reply: pub/sub (in RESP2 even an UNSUBSCRIBE without
   * subscriptions answers once per channel), MONITOR, or a replica's sync stream.
   */
  PIN(false, "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
      "SUNSUBSCRIBE", "MONITOR", "SYNC", "PSYNC", "REPLCONF"),
  /** May wait for data or replicas for as long as its timeout says. */
  BLOCKING(false, "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX",
      "BZMPOP", "WAIT", "WAITAOF"),
  /** Blocking only with a BLOCK argument. */
  XREAD(true, "XREAD", "XREADGROUP");

  /** Whether the proxy needs the command's arguments (a copy of its bytes). */
  final boolean needsArguments;
  private final String[] names;

  private static final byte[][][] BY_LENGTH = new byte[RespScanner.MAX_NAME + 1][][];
  private static final CommandKind[][] KINDS_BY_LENGTH = new CommandKind[RespScanner.MAX_NAME + 1][];

  static {
    List<List<byte[]>> names = new ArrayList<>();
    List<List<CommandKind>> kinds = new ArrayList<>();
    for (int i = 0; i <= RespScanner.MAX_NAME; i++) {
      names.add(new ArrayList<>());
      kinds.add(new ArrayList<>());
    }
    for (CommandKind k : values()) {
      for (String n : k.names) {
        names.get(n.length()).add(n.getBytes(StandardCharsets.US_ASCII));
        kinds.get(n.length()).add(k);
      }
    }
    for (int i = 0; i <= RespScanner.MAX_NAME; i++) {
      BY_LENGTH[i] = names.get(i).toArray(new byte[0][]);
      KINDS_BY_LENGTH[i] = kinds.get(i).toArray(new CommandKind[0]);
    }
  }

  CommandKind(boolean needsArguments, String... names) {
    this.needsArguments = needsArguments;
    this.names = names;
  }

  /** Classifies a command name, ignoring case, without allocating. */
  static CommandKind of(byte[] name, int length) {
    if (length < 0 || length > RespScanner.MAX_NAME) {
      return OTHER;
    }
    byte[][] candidates = BY_LENGTH[length];
    for (int c = 0; c < candidates.length; c++) {
      if (equalsIgnoreCase(candidates[c], name, length)) {
        return KINDS_BY_LENGTH[length][c];
      }
    }
    return OTHER;
  }

  /** {@code upper} is an upper-case ASCII letter word; clearing bit 5 folds only letters onto it. */
  static boolean equalsIgnoreCase(byte[] upper, byte[] b, int length) {
    for (int i = 0; i < length; i++) {
      if ((b[i] & 0xDF) != upper[i]) {
        return false;
      }
    }
    return true;
  }
}
