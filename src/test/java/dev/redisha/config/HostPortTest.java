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

  @Test
  void numbersThatAreNoIpv4AddressAreRejectedBeforeAnythingTriesToBindThem() {
    String ipv4 = " is not an IPv4 address (four numbers 0-255 without leading zeros, as in 10.0.0.1)";
    assertReason("999.1.1.1:7000", "\"999.1.1.1\"" + ipv4);
    assertReason("10.0.0:7000", "\"10.0.0\"" + ipv4);
    assertReason("10.0.0.1.5:7000", "\"10.0.0.1.5\"" + ipv4);
    assertReason("010.0.0.1:7000", "\"010.0.0.1\"" + ipv4);
    assertEquals(new HostPort("255.255.255.255", 1), HostPort.parse("255.255.255.255:1"));
    assertEquals(new HostPort("0.0.0.0", 7000), HostPort.parse("0.0.0.0:7000"));
  }

  @Test
  void bracketedTextMustBeARealIpv6Address() {
    assertReason("[:::::]:7000", "the part in brackets is not an IPv6 address");
    assertReason("[1:2:3:4:5:6:7:8:9]:7000", "the part in brackets is not an IPv6 address");
    assertReason("[::ffff:999.1.1.1]:7000", "the part in brackets is not an IPv6 address");
    assertEquals(new HostPort("::ffff:10.0.0.1", 7000), HostPort.parse("[::ffff:10.0.0.1]:7000"));
  }

  private static void assertReason(String text, String reason) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    assertEquals(reason, e.getMessage());
  }
}
