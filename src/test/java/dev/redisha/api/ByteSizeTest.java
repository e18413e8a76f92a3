package dev.redisha.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
  @Test
  void bytesAndPatroniUnitsArePowersOf1024() {
    assertEquals(1048576, ByteSize.parse("1048576"));
    assertEquals(1048576, ByteSize.parse("1024kB"));
    assertEquals(1048576, ByteSize.parse("1MB"));
    assertEquals(16 * 1024, ByteSize.parse("16kb"));
    assertEquals(1L << 30, ByteSize.parse("1GB"));
    assertEquals(10, ByteSize.parse("10B"));
  }

  @Test
  void anythingElseIsRefusedWithWhatIsExpected() {
    for (String bad : new String[] {"", "-1", "1.5MB", "1 XB", "MB", "99999999999999999TB"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(bad), bad);
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("16kB"), e.getMessage());
    }
  }
}
