package dev.instanode.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Data directories hold secrets (password hashes in Redis's ACL file, the dev secrets, customer
 * data), so they are the owner's alone: directories 0700, files 0600.
 */
public final class OwnerOnly {
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private OwnerOnly() {}

  /** Creates {@code dir} (and missing parents) and makes it 0700, whatever it was before. */
  public static Path directory(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, DIRECTORY);
    return dir;
  }

  /**
   * Makes every regular file directly in {@code dir} 0600 (repairs files made by older versions).
   */
  public static void filesIn(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (Files.isRegularFile(entry) && !Files.isExecutable(entry)) {
          Files.setPosixFilePermissions(entry, FILE);
        }
      }
    }
  }

  /** Writes a new 0600 file; the content never exists with wider permissions. */
  public static void writeNew(Path file, String content) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
    Files.writeString(file, content);
  }
}
