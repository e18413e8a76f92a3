package dev.redisha.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * Makes a directory that nobody can write into. Root ignores permission bits, so as root a
 * read-only tmpfs is mounted over it (the kernel's EROFS, as on a read-only disk); otherwise the
 * directory is made r-x.
 */
public final class ReadOnlyDirectory {
  private ReadOnlyDirectory() {}

  /** @return whether a mount was made (undo with {@link #undo}) */
  public static boolean make(Path dir) throws IOException, InterruptedException {
    if ("root".equals(System.getProperty("user.name"))) {
      run("mount", "-t", "tmpfs", "-o", "ro,size=64k", "redisha-test-ro", dir.toString());
      return true;
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    return false;
  }

  public static void undo(Path dir, boolean mounted) throws IOException, InterruptedException {
    if (mounted) {
      run("umount", "-l", dir.toString());
    } else {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish in 10 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue());
    }
  }
}
