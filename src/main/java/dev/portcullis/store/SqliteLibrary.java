package dev.portcullis.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * Keeps sqlite-jdbc's native library extracted in the data directory, checked against the driver's
 * jar at every start, and points the driver at it, so that a start does not extract it again.
 *
 * <p>Left alone, the driver copies the library (1.1 MB on Linux x86-64) out of its jar into the
 * temporary directory under a new name on every start, reads both back byte by byte to compare
 * them, and first runs {@code uname} to learn which of its libraries fits: together about a tenth
 * of a second of a start's CPU (BENCHMARKS.md, section 9). Here a start reads the library out of
 * the jar (the same bytes the driver would extract), compares them with the kept copy, and writes
 * the copy again only when they differ. Which library fits is asked once and kept beside the copy.
 *
 * <p>Security: the copy is used only when it is byte for byte the jar's, so a changed or planted
 * file is replaced, not loaded; the data directory is the gateway's own (locked, and holding the
 * store and its installation keys). Failure: anything that goes wrong here (a read-only or {@code
 * noexec} data directory, a driver that names its library differently) leaves the driver to its own
 * extraction, as before; nothing is refused. An operator's own {@code org.sqlite.lib.path} or
 * {@code org.sqlite.lib.name} is never overridden.
 */
final class SqliteLibrary {
  /** The directory in the data directory that holds the copies. */
  static final String DIRECTORY = "native";

  static final String PATH_PROPERTY = "org.sqlite.lib.path";
  static final String NAME_PROPERTY = "org.sqlite.lib.name";

  private static final String RESOURCES = "/org/sqlite/native/";

  private static boolean settled;

  private SqliteLibrary() {}

  /**
   * Points the driver at the verified copy in {@code dataDirectory}, making it first if needed;
   * once per JVM (the driver loads its library once), and not when the properties are set already.
   */
  static synchronized void useCopyIn(Path dataDirectory) {
    if (settled) {
      return;
    }
    settled = true;
    if (System.getProperty(PATH_PROPERTY) != null || System.getProperty(NAME_PROPERTY) != null) {
      return;
    }
    try {
      verifiedCopy(dataDirectory)
          .ifPresent(
              file -> {
                System.setProperty(PATH_PROPERTY, file.getParent().toString());
                System.setProperty(NAME_PROPERTY, file.getFileName().toString());
              });
    } catch (IOException | RuntimeException e) {
      // the driver extracts its library itself, as it always did
    }
  }

  /** The copy of the driver's library for this platform in {@code dataDirectory}, checked. */
  static Optional<Path> verifiedCopy(Path dataDirectory) throws IOException {
    String platform =
        (System.getProperty("os.name") + "-" + System.getProperty("os.arch"))
            .replaceAll("[^A-Za-z0-9._-]", "_");
    Path dir =
        dataDirectory
            .resolve(DIRECTORY)
            .resolve("sqlite-jdbc-" + org.sqlite.SQLiteJDBCLoader.getVersion())
            .resolve(platform)
            .toAbsolutePath();
    Path resourceFile = dir.resolve("resource");
    Optional<String> kept = keptResource(resourceFile);
    String resource = kept.orElseGet(SqliteLibrary::driversResource);
    if (!resource.startsWith(RESOURCES) || resource.contains("..")) {
      return Optional.empty();
    }
    byte[] library;
    try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      library = in.readAllBytes();
    }
    Path file = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
    if (!Files.isRegularFile(file) || !Arrays.equals(Files.readAllBytes(file), library)) {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".library", ".tmp");
      try {
        Files.write(tmp, library);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    if (kept.isEmpty()) {
      Files.writeString(resourceFile, resource + "\n", StandardCharsets.UTF_8);
    }
    return Optional.of(file);
  }

  private static Optional<String> keptResource(Path file) throws IOException {
    return Files.isRegularFile(file)
        ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip())
        : Optional.empty();
  }

  /** Which of its libraries the driver itself would extract here (it asks the OS: uname). */
  private static String driversResource() {
    return org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath()
        + "/"
        + org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
  }
}
