package dev.redisha.endpoint.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The RESP scanners' user-space cost alone, for {@code bench/proxy}'s profile: {@code
 * RespScannerBenchMain [SECONDS]} scans, in a direct buffer as the relay reads them, the bursts
 * redis-benchmark sends and gets back with {@code -P 16} (16 SETs or GETs of {@code
 * key:__rand_int__}, 16 {@code +OK} or 16 three-byte bulk replies) and prints nanoseconds per
 * command and per byte, the median of 5 rounds. Not a test: it asserts nothing but that every
 * command was counted.
 */
public final class RespScannerBenchMain {
  private RespScannerBenchMain() {}

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
    String set = "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000012345\r\n$3\r\nxxx\r\n";
    String get = "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000012345\r\n";
    run("requests, 16 x SET", set.repeat(16), true, seconds);
    run("requests, 16 x GET", get.repeat(16), true, seconds);
    run("replies,  16 x +OK", "+OK\r\n".repeat(16), false, seconds);
    run("replies,  16 x $3 ", "$3\r\nxxx\r\n".repeat(16), false, seconds);
  }

  private static void run(String what, String burst, boolean requests, double seconds) {
    byte[] bytes = burst.getBytes(StandardCharsets.US_ASCII);
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
    buf.writeBytes(bytes);
    long[] counted = new long[1];
    RespScanner scanner = requests
        ? RespScanner.forRequests(new RespScanner.RequestListener() {
            @Override
            public boolean onCommandName(byte[] name, int length) {
              return CommandKind.of(name, length).needsArguments;
            }

            @Override
            public boolean onCommandEnd(boolean expectsReply, byte[] captured) {
              counted[0]++;
              return true;
            }
          })
        : RespScanner.forReplies(type -> {
            counted[0]++;
            return true;
          });
    double[] nsPerCommand = new double[5];
    for (int round = -2; round < 5; round++) { // two rounds of warm-up for the JIT
      counted[0] = 0;
      long bursts = 0;
      long start = System.nanoTime();
      long deadline = start + (long) (seconds * 1e9);
      long now;
      do {
        for (int k = 0; k < 1000; k++) {
          scanner.scan(buf);
        }
        bursts += 1000;
        now = System.nanoTime();
      } while (now < deadline);
      if (counted[0] != bursts * 16) {
        throw new IllegalStateException(what + ": counted " + counted[0] + " of " + bursts * 16);
      }
      if (round >= 0) {
        nsPerCommand[round] = (now - start) / (bursts * 16.0);
      }
    }
    java.util.Arrays.sort(nsPerCommand);
    double median = nsPerCommand[2];
    System.out.printf("%s: %6.1f ns/command, %5.2f ns/byte (%d bytes a burst; rounds %.1f..%.1f)%n", what, median,
        median * 16 / bytes.length, bytes.length, nsPerCommand[0], nsPerCommand[4]);
    buf.release();
  }
}
