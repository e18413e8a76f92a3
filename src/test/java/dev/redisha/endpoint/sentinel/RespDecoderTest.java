package dev.redisha.endpoint.sentinel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespDecoderTest {
  private static List<String> args(Command c) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      out.add(c.arg(i));
    }
    return out;
  }

  @Test
  void multibulkArrivingByteByByteIsDecodedOnce() {
    EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(() -> true));
    byte[] request = "*3\r\n$8\r\nSENTINEL\r\n$7\r\nMASTERS\r\n$0\r\n\r\n*0\r\n*1\r\n$4\r\nPING\r\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    for (byte b : request) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertEquals(List.of("SENTINEL", "MASTERS", ""), args(ch.readInbound()));
    assertEquals(List.of("PING"), args(ch.readInbound()));
    assertNull(ch.readInbound());
    ch.finishAndReleaseAll();
  }

  @Test
  void inlineArgumentsSplitLikeRedis() {
    assertEquals(List.of("set", "a b", "it's", "\n", "A"),
        RespDecoder.splitArgs("set \"a b\" 'it\\'s' \"\\n\" \"\\x41\"".getBytes(StandardCharsets.ISO_8859_1))
            .stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList());
    assertThrows(RespProtocolException.class,
        () -> RespDecoder.splitArgs("\"abc\"def".getBytes(StandardCharsets.ISO_8859_1)));
    assertThrows(RespProtocolException.class,
        () -> RespDecoder.splitArgs("'abc".getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void limitsAreTighterBeforeAuthentication() {
    EmbeddedChannel stranger = new EmbeddedChannel(new RespDecoder(() -> false));
    assertThrows(DecoderException.class,
        () -> stranger.writeInbound(Unpooled.copiedBuffer("*11\r\n", StandardCharsets.ISO_8859_1)));
    // After an error everything else is discarded.
    stranger.writeInbound(Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\n", StandardCharsets.ISO_8859_1));
    assertNull(stranger.readInbound());
    stranger.finishAndReleaseAll();

    EmbeddedChannel known = new EmbeddedChannel(new RespDecoder(() -> true));
    known.writeInbound(Unpooled.copiedBuffer("*11\r\n", StandardCharsets.ISO_8859_1));
    assertNull(known.readInbound());
    assertThrows(DecoderException.class, () -> known.writeInbound(
        Unpooled.copiedBuffer("*" + (RespDecoder.MAX_ARGS + 1) + "\r\n", StandardCharsets.ISO_8859_1)));
    known.finishAndReleaseAll();
  }
}
