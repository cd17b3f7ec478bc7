package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kept copy of the SQLite driver's native library: made once, used only while it is the jar's.
 */
class SqliteLibraryTest {
  @TempDir Path data;

  @Test
  void keepsTheDriversOwnLibraryInTheDataDirectory() throws IOException {
    Path copy = SqliteLibrary.verifiedCopy(data).orElseThrow();

    assertThat(copy).startsWith(data.toAbsolutePath().resolve(SqliteLibrary.DIRECTORY));
    assertThat(Files.readAllBytes(copy)).isEqualTo(jarsCopy(copy));
  }

  @Test
  void aSecondStartFindsTheCopyAndLeavesItAsItIs() throws IOException {
    Path copy = SqliteLibrary.verifiedCopy(data).orElseThrow();
    var written = Files.getLastModifiedTime(copy);

    assertThat(SqliteLibrary.verifiedCopy(data)).contains(copy);
    assertThat(Files.getLastModifiedTime(copy)).isEqualTo(written);
  }

  @Test
  void aChangedCopyIsReplacedWithTheJarsBeforeItIsUsed() throws IOException {
    Path copy = SqliteLibrary.verifiedCopy(data).orElseThrow();
    byte[] planted = Files.readAllBytes(copy);
    planted[planted.length / 2] ^= 1;
    Files.write(copy, planted);

    assertThat(SqliteLibrary.verifiedCopy(data)).contains(copy);
    assertThat(Files.readAllBytes(copy)).isEqualTo(jarsCopy(copy));
  }

  @Test
  void aKeptResourceNameOutsideTheDriversLibrariesIsNotFollowed() throws IOException {
    Path copy = SqliteLibrary.verifiedCopy(data).orElseThrow();
    Files.writeString(copy.resolveSibling("resource"), "/db/migration/sqlite/V1__x.sql\n");

    assertThat(SqliteLibrary.verifiedCopy(data)).isEmpty();
  }

  private static byte[] jarsCopy(Path copy) throws IOException {
    String resource =
        Files.readString(copy.resolveSibling("resource"), StandardCharsets.UTF_8).strip();
    assertThat(resource).startsWith("/org/sqlite/native/").endsWith(copy.getFileName().toString());
    try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      return in.readAllBytes();
    }
  }
}
