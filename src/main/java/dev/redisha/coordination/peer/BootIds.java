package dev.redisha.coordination.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each agent start's bootId, which peers require to grow from one start to the next ({@link
 * ReplayGuard}). The start time alone does not: a host whose clock was stepped back (a VM
 * restored from a snapshot, an RTC set ahead and corrected by NTP) would restart with a lower one,
 * and every peer would drop its adverts as replays until that peer restarted, so a healthy master
 * would look silent. The last bootId is kept in {@code <state_dir>/boot-id}, and a start takes its
 * wall clock or one more than the last, whichever is higher.
 */
public final class BootIds {
  private static final Logger log = LoggerFactory.getLogger(BootIds.class);
  private static final String FILE = "boot-id";
  private static final FileAttribute<?> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<?> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private BootIds() {}

  /**
   * The bootId of the start happening now, already on disk when returned. When the file cannot be
   * read or written the wall clock is used, as without it, and the log says so: peers then accept
   * this start unless the clock went back.
   */
  public static long next(Path stateDir, long wallMillis) {
    Path file = stateDir.resolve(FILE);
    long last = last(file);
    long next = Math.max(wallMillis, last + 1);
    if (next != wallMillis) {
      log.warn("this host's clock ({}) is behind the last start's bootId {} in {}: this start's bootId is {}, so peers"
          + " do not take its adverts for replays", wallMillis, last, file, next);
    }
    try {
      write(stateDir, file, next);
    } catch (IOException e) {
      log.warn("cannot record this start's bootId in {} ({}): if the clock steps back before the next start, peers"
          + " will drop that start's adverts as replays", file, e.toString());
    }
    return next;
  }

  private static long last(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException first) {
      return Long.MIN_VALUE;
    } catch (IOException e) {
      log.warn("cannot read {} ({}); this start's bootId is the wall clock", file, e.toString());
      return Long.MIN_VALUE;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      log.warn("{} does not hold a number (found \"{}\"); this start's bootId is the wall clock", file,
          text.length() > 40 ? text.substring(0, 40) + "..." : text);
      return Long.MIN_VALUE;
    }
  }

  /** Replaced atomically and fsync'd: a crash leaves the old or the new value, never neither. */
  private static void write(Path dir, Path file, long bootId) throws IOException {
    Files.createDirectories(dir, OWNER_ONLY_DIR);
    Path tmp = dir.resolve(FILE + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), OWNER_ONLY_FILE)) {
      ByteBuffer buf = ByteBuffer.wrap((bootId + "\n").getBytes(StandardCharsets.US_ASCII));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
