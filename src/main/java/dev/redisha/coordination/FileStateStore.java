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

/**
 * {@code state.json} in the state directory, replaced atomically (write, fsync, rename) so a crash
 * leaves either the old or the new state, never half of one.
 */
public final class FileStateStore implements StateStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public FileStateStore(Path stateDir) {
    this.file = stateDir.resolve("state.json");
  }

  @Override
  public DurableState load() {
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
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("state.json.tmp");
      byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
