package dev.redisha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.redis.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The overlap rule check-config applies, held against what the kernel does with real sockets. */
class ListenerConflictsTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, 127.0.0.1",
      "127.0.0.1, 0.0.0.0",
      "0.0.0.0,   127.0.0.1",
      "::,        127.0.0.1",
      "0.0.0.0,   ::1",
      "0.0.0.0,   ::",
      "localhost, 127.0.0.1",
      "127.0.0.1, 127.0.0.2",
      "127.0.0.2, ::1",
  })
  void overlapIsExactlyWhatMakesTheSecondBindFail(String first, String second) throws IOException {
    int port = FreePorts.tcp();
    boolean predicted = ListenerConflicts.overlap(new HostPort(first, port), new HostPort(second, port));
    assertEquals(secondBindFails(first, second, port), predicted, first + " then " + second);
  }

  private static boolean secondBindFails(String first, String second, int port) throws IOException {
    try (ServerSocket a = new ServerSocket()) {
      a.bind(new InetSocketAddress(InetAddress.getByName(first), port));
      try (ServerSocket b = new ServerSocket()) {
        b.bind(new InetSocketAddress(InetAddress.getByName(second), port));
        return false;
      } catch (java.net.BindException inUse) {
        return true;
      }
    }
  }
}
