package dev.redisha.coordination;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * {@code state.json} in the state directory, replaced atomically (write, fsync, rename, fsync of
 * the directory) so a crash leaves either the old or the new state, never half of one, and a
 * returned save survives a power loss (the rename itself is only durable once the directory is).
 * A save that fails (disk full, read-only) throws and leaves the old file as it was, with no
 * temporary file behind.
 */
public final class FileStateStore implements StateStore {
  // The node's vote (epoch, master) is the agent's alone: 0600 in a 0700 directory, applied when
  // created (the umask can only take bits away); modes an operator set on existing ones are kept.
  private static final FileAttribute<?> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<?> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------"));
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  private final Path tmp;

  public FileStateStore(Path stateDir) {
    this.file = stateDir.resolve("state.json");
    this.tmp = stateDir.resolve("state.json.tmp");
  }

  @Override
  public DurableState load() {
    try {
      // Left by a save that failed or a crash before the rename: never the state of record.
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      // Harmless here; the next save truncates it.
    }
    if (!Files.exists(file)) {
      return DurableState.fresh();
    }
    try {
      return JSON.readValue(file.toFile(), DurableState.class);
    } catch (IOException e) {
      throw new UncheckedIOException(
          file + " is unreadable; move it away only if this node's data is known to be lost", e);
    }
  }

  @Override
  public void save(DurableState state) {
    try {
      Files.createDirectories(file.getParent(), OWNER_ONLY_DIR);
      byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
      try {
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), OWNER_ONLY_FILE)) {
          ByteBuffer buf = ByteBuffer.wrap(bytes);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      syncDirectory(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
