package dev.redisha.keepalived;

import java.nio.file.Path;

/**
 * A keepalived config that cannot be read or carried over; the message names the file and, where
 * there is one, the line.
 */
public final class KeepalivedConfigException extends Exception {
  public KeepalivedConfigException(Path file, int line, String problem) {
    super(file + ":" + line + ": " + problem);
  }

  public KeepalivedConfigException(Path file, String problem) {
    super(file + ": " + problem);
  }
}
