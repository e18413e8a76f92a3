package dev.redisha.endpoint.sentinel;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One request as the client sent it: its arguments as raw bytes. Text views use ISO-8859-1, which
 * maps every byte to one char and back, so channel names and patterns round-trip unchanged.
 */
final class Command {
  private final List<byte[]> args;

  Command(List<byte[]> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("a command has at least a name");
    }
    this.args = List.copyOf(args);
  }

  int size() {
    return args.size();
  }

  byte[] raw(int index) {
    return args.get(index);
  }

  String arg(int index) {
    return new String(args.get(index), StandardCharsets.ISO_8859_1);
  }

  /** Argument {@code index} in lower case, for matching command and option names. */
  String lower(int index) {
    return arg(index).toLowerCase(Locale.ROOT);
  }

  String name() {
    return lower(0);
  }
}
