package dev.redisha.endpoint.vip;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the process's effective capabilities from /proc/self/status. */
final class Capabilities {
  static final int CAP_NET_ADMIN = 12;
  static final int CAP_NET_RAW = 13;

  private Capabilities() {}

  static boolean has(int capability) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          return new BigInteger(line.substring(7).strip(), 16).testBit(capability);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }
}
