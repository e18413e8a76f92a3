package dev.redisha.endpoint.proxy;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RespScannerTest {

  /** Records what a reply scanner reports. */
  private static final class Replies implements RespScanner.ReplyListener {
    final StringBuilder types = new StringBuilder();
    int stopAfter = Integer.MAX_VALUE;

    @Override
    public boolean onReply(byte type) {
      types.append((char) type);
      return types.length() < stopAfter;
    }
  }

  /** Records what a request scanner reports: "NAME" or "NAME!" for no reply, plus captures. */
  private static final class Requests implements RespScanner.RequestListener {
    final List<String> commands = new ArrayList<>();
    final List<byte[]> captures = new ArrayList<>();
    final Set<String> capture;
    String name = "";
    int stopAfter = Integer.MAX_VALUE;

    Requests(Set<String> capture) {
      this.capture = capture;
    }

    @Override
    public boolean onCommandName(byte[] n, int length) {
      name = length < 0 ? "<long>" : new String(n, 0, length, ISO_8859_1);
      return capture.contains(name.toUpperCase());
    }

    @Override
    public boolean onCommandEnd(boolean expectsReply, byte[] captured) {
      commands.add(expectsReply ? name : name + "!");
      if (capture.contains(name.toUpperCase())) {
        captures.add(captured);
      }
      name = "";
      return commands.size() < stopAfter;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(ISO_8859_1);
  }

  /** Feeds {@code data} cut at the given offsets, checking the scanner leaves indices alone. */
  private static void feed(RespScanner scanner, byte[] data, int... cuts) {
    int from = 0;
    int[] all = Arrays.copyOf(cuts, cuts.length + 1);
    all[cuts.length] = data.length;
    for (int to : all) {
      ByteBuf buf = Unpooled.wrappedBuffer(data, from, to - from);
      int end = scanner.scan(buf);
      assertEquals(0, buf.readerIndex());
      assertEquals(to - from, buf.writerIndex());
      assertEquals(to - from, end, "scanned the whole piece");
      from = to;
    }
  }

  private static String replyTypes(byte[] data, int... cuts) {
    Replies r = new Replies();
    RespScanner s = RespScanner.forReplies(r);
    feed(s, data, cuts);
    assertFalse(s.lostSync(), "lost sync");
    assertTrue(s.atBoundary(), "ends at a boundary");
    return r.types.toString();
  }

  private static final String MIXED_REPLIES =
      "+OK\r\n"
          + "-ERR wrong\r\n"
          + ":-42\r\n"
          + "$5\r\nhe\r\nl\r\n" // a bulk body may hold CRLF
          + "$-1\r\n"
          + "$0\r\n\r\n"
          + "*-1\r\n"
          + "*0\r\n"
          + "*3\r\n:1\r\n*2\r\n$1\r\na\r\n*1\r\n+deep\r\n$2\r\n*3\r\n"
          + "_\r\n"
          + ",3.14\r\n"
          + "#t\r\n"
          + "(3492890328409238509324850943850943825024385\r\n"
          + "!21\r\nSYNTAX invalid syntax\r\n"
          + "=15\r\ntxt:Some string\r\n"
          + "%2\r\n+first\r\n:1\r\n+second\r\n%1\r\n+k\r\n~2\r\n:1\r\n:2\r\n"
          + "~3\r\n+a\r\n+b\r\n+c\r\n"
          + ">3\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n$1\r\nx\r\n"
          + "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n"
          + "*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n"
          + "|0\r\n+after-empty-attribute\r\n";

  private static final String MIXED_TYPES = "+-:$$$**" + "*_,#(!=%~>**+";

  @Test
  void reportsEachTopLevelReplyWithItsType() {
    assertEquals(MIXED_TYPES, replyTypes(bytes(MIXED_REPLIES)));
  }

  @Test
  void attributesPrefixValuesAndAreNotCountedAsReplies() {
    assertEquals("*", replyTypes(bytes("|1\r\n+a\r\n+b\r\n*1\r\n:1\r\n")));
    assertEquals("*", replyTypes(bytes("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n|1\r\n+c\r\n+d\r\n:2\r\n")));
  }

  @Test
  void nestedAggregatesCountAsOneReply() {
    String deep = "*1\r\n".repeat(50) + ":1\r\n";
    assertEquals("*:", replyTypes(bytes(deep + ":2\r\n")));
    assertEquals("*", replyTypes(bytes("*2\r\n*0\r\n*-1\r\n")));
  }

  @Test
  void repliesSplitAtEveryByteGiveTheSameResult() {
    byte[] data = bytes(MIXED_REPLIES);
    for (int cut = 0; cut <= data.length; cut++) {
      assertEquals(MIXED_TYPES, replyTypes(data, cut), "cut at " + cut);
    }
  }

  @Test
  void repliesSplitAtEveryPairOfOffsetsGiveTheSameResult() {
    byte[] data = bytes("*3\r\n:1\r\n*2\r\n$1\r\na\r\n%1\r\n+k\r\n_\r\n$3\r\nxyz\r\n|1\r\n+a\r\n+b\r\n>2\r\n+m\r\n#f\r\n:7\r\n");
    for (int a = 0; a <= data.length; a++) {
      for (int b = a; b <= data.length; b++) {
        assertEquals("*>:", replyTypes(data, a, b), "cuts at " + a + ", " + b);
      }
    }
  }

  @Test
  void repliesFedOneByteAtATime() {
    byte[] data = bytes(MIXED_REPLIES);
    int[] cuts = new int[data.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    assertEquals(MIXED_TYPES, replyTypes(data, cuts));
  }

  @Test
  void isAtABoundaryOnlyBetweenValues() {
    Replies r = new Replies();
    RespScanner s = RespScanner.forReplies(r);
    assertTrue(s.atBoundary());
    s.scan(Unpooled.wrappedBuffer(bytes("*2\r\n:1\r\n")));
    assertFalse(s.atBoundary());
    s.scan(Unpooled.wrappedBuffer(bytes(":2\r")));
    assertFalse(s.atBoundary());
    s.scan(Unpooled.wrappedBuffer(bytes("\n$4\r\nab")));
    assertFalse(s.atBoundary());
    assertEquals("*", r.types.toString());
    s.scan(Unpooled.wrappedBuffer(bytes("cd\r\n")));
    assertTrue(s.atBoundary());
    assertEquals("*$", r.types.toString());
  }

  @Test
  void stopsRightAfterTheValueTheListenerAsksToStopAfter() {
    Replies r = new Replies();
    r.stopAfter = 2;
    RespScanner s = RespScanner.forReplies(r);
    byte[] data = bytes("+OK\r\n$3\r\nabc\r\n:1\r\n");
    ByteBuf buf = Unpooled.wrappedBuffer(data);
    int end = s.scan(buf);
    assertEquals("+OK\r\n$3\r\nabc\r\n".length(), end);
    buf.readerIndex(end);
    r.stopAfter = Integer.MAX_VALUE;
    assertEquals(data.length, s.scan(buf));
    assertEquals("+$:", r.types.toString());
  }

  @Test
  void givesUpOnWhatIsNotResp() {
    for (String bad : List.of("?x\r\n", "$?\r\n;4\r\nabcd\r\n;0\r\n", "*?\r\n", "$-2\r\n", "*x\r\n", "$\r\n", "$12345678901234567\r\n")) {
      Replies r = new Replies();
      RespScanner s = RespScanner.forReplies(r);
      ByteBuf buf = Unpooled.wrappedBuffer(bytes(bad + "+OK\r\n"));
      assertEquals(buf.writerIndex(), s.scan(buf), bad);
      assertTrue(s.lostSync(), bad);
      assertEquals("", r.types.toString(), bad);
    }
  }

  // ---- requests ----------------------------------------------------------------------------

  private static String command(String... args) {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      sb.append('$').append(a.getBytes(ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
    }
    return sb.toString();
  }

  private static Requests requests(byte[] data, Set<String> capture, int... cuts) {
    Requests r = new Requests(capture);
    RespScanner s = RespScanner.forRequests(r);
    feed(s, data, cuts);
    assertFalse(s.lostSync(), "lost sync");
    assertTrue(s.atBoundary(), "ends at a boundary");
    return r;
  }

  private static final String MIXED_REQUESTS =
      command("SET", "key", "va\r\nlue")
          + "PING\r\n" // redis-cli's and telnet's inline form
          + "  get   key\n" // inline, leading blanks, bare LF
          + "\r\n" // blank inline line: no reply
          + "*0\r\n" // empty array: no reply
          + command("auth", "user", "p*ss")
          + command("")
          + command("A".repeat(40), "x")
          + command("SELECT", "1")
          + "auth secret\r\n";

  private static final List<String> MIXED_COMMANDS =
      List.of("SET", "PING", "get", "!", "!", "auth", "", "<long>", "SELECT", "auth");

  @Test
  void reportsCommandNamesAndWhichCommandsExpectAReply() {
    assertEquals(MIXED_COMMANDS, requests(bytes(MIXED_REQUESTS), Set.of()).commands);
  }

  @Test
  void requestsSplitAtEveryByteGiveTheSameNamesAndCaptures() {
    byte[] data = bytes(MIXED_REQUESTS);
    for (int cut = 0; cut <= data.length; cut++) {
      Requests r = requests(data, Set.of("AUTH", "SELECT"), cut);
      assertEquals(MIXED_COMMANDS, r.commands, "cut at " + cut);
      assertCaptures(r, "cut at " + cut);
    }
  }

  @Test
  void requestsSplitAtEveryPairOfOffsetsGiveTheSameNamesAndCaptures() {
    byte[] data = bytes(command("AUTH", "u", "pw") + "PING\r\n" + command("SET", "k", "v") + "select 2\n");
    for (int a = 0; a <= data.length; a++) {
      for (int b = a; b <= data.length; b++) {
        Requests r = requests(data, Set.of("AUTH", "SELECT"), a, b);
        assertEquals(List.of("AUTH", "PING", "SET", "select"), r.commands, a + ", " + b);
        assertArrayEquals(bytes(command("AUTH", "u", "pw")), r.captures.get(0));
        assertArrayEquals(bytes("select 2\n"), r.captures.get(1));
      }
    }
  }

  private static void assertCaptures(Requests r, String where) {
    assertEquals(3, r.captures.size(), where);
    assertArrayEquals(bytes(command("auth", "user", "p*ss")), r.captures.get(0), where);
    assertArrayEquals(bytes(command("SELECT", "1")), r.captures.get(1), where);
    assertArrayEquals(bytes("auth secret\r\n"), r.captures.get(2), where);
  }

  @Test
  void aCaptureLongerThanTheLimitIsDropped() {
    String huge = "x".repeat(RespScanner.MAX_CAPTURE);
    Requests r = requests(bytes(command("AUTH", huge) + command("AUTH", "short")), Set.of("AUTH"));
    assertEquals(List.of("AUTH", "AUTH"), r.commands);
    assertNull(r.captures.get(0));
    assertArrayEquals(bytes(command("AUTH", "short")), r.captures.get(1));
  }

  @Test
  void pipelinedCommandsAreCountedOneByOne() {
    String one = command("SET", "key:000001", "xxx");
    Requests r = requests(bytes(one.repeat(1000)), Set.of(), 7, 4000, 4001, 29_999);
    assertEquals(1000, r.commands.size());
  }

  @Test
  void stopsAfterACommandAndResumesWhereItStopped() {
    Requests r = new Requests(Set.of());
    r.stopAfter = 1;
    RespScanner s = RespScanner.forRequests(r);
    String first = command("MULTI");
    byte[] data = bytes(first + command("SET", "a", "b") + "PING\r\n");
    ByteBuf buf = Unpooled.wrappedBuffer(data);
    int end = s.scan(buf);
    assertEquals(first.length(), end);
    assertTrue(s.atBoundary());
    buf.readerIndex(end);
    r.stopAfter = Integer.MAX_VALUE;
    assertEquals(data.length, s.scan(buf));
    assertEquals(List.of("MULTI", "SET", "PING"), r.commands);
  }

  @Test
  void aRequestThatIsNotAnArrayOfBulkStringsIsGivenUpOn() {
    for (String bad : List.of("*1\r\n:1\r\n", "*2\r\n$3\r\nGET\r\n*1\r\n", "*1\r\n$-1\r\n", "*x\r\n")) {
      Requests r = new Requests(Set.of());
      RespScanner s = RespScanner.forRequests(r);
      s.scan(Unpooled.wrappedBuffer(bytes(bad + "PING\r\n")));
      assertTrue(s.lostSync(), bad);
    }
  }

  @Test
  void aPartialInlineCommandIsNotABoundary() {
    Requests r = new Requests(Set.of());
    RespScanner s = RespScanner.forRequests(r);
    s.scan(Unpooled.wrappedBuffer(bytes("PIN")));
    assertFalse(s.atBoundary());
    s.scan(Unpooled.wrappedBuffer(bytes("G\r")));
    assertFalse(s.atBoundary());
    s.scan(Unpooled.wrappedBuffer(bytes("\n")));
    assertTrue(s.atBoundary());
    assertEquals(List.of("PING"), r.commands);
  }
}
