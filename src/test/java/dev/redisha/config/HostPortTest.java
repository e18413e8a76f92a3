package dev.redisha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parsesHostsAndPorts() {
    assertEquals(new HostPort("127.0.0.1", 6379), HostPort.parse("127.0.0.1:6379"));
    assertEquals(new HostPort("redis-a.example", 1), HostPort.parse("redis-a.example:1"));
    assertEquals(new HostPort("::1", 65535), HostPort.parse("[::1]:65535"));
    assertEquals(new HostPort("fe80::1%eth0", 7000), HostPort.parse("[fe80::1%eth0]:7000"));
  }

  @Test
  void printsWhatItParses() {
    for (String text : new String[] {"127.0.0.1:6379", "[::1]:7000", "host:80"}) {
      assertEquals(text, HostPort.parse(text).toString());
    }
  }

  @Test
  void rejectsMalformedAddressesSayingWhy() {
    assertReason("localhost", "the port is missing");
    assertReason("localhost:", "the port must be a number between 1 and 65535");
    assertReason("localhost:+80", "the port must be a number between 1 and 65535");
    assertReason("localhost:65536", "the port must be a number between 1 and 65535");
    assertReason("[::1:7000", "the closing ] of the IPv6 address is missing");
    assertReason("[::1]", "the port is missing");
    assertReason("[local]:80", "the part in brackets is not an IPv6 address");
    assertReason("::1:7000", "an IPv6 address needs brackets, as in [::1]:7000");
    assertReason(":80", "the host is empty");
  }

  private static void assertReason(String text, String reason) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    assertEquals(reason, e.getMessage());
  }
}
