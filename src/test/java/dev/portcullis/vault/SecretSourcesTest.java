package dev.portcullis.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File secrets: a rotation is seen on the next call, however the file was replaced. */
class SecretSourcesTest {
  private static final SecretRef REF = new SecretRef("file", "secrets/token");

  @TempDir Path data;

  private SecretSources sources() {
    return new SecretSources(Map.of(), data);
  }

  private Path write(String value) throws Exception {
    Path file = data.resolve("secrets/token");
    Files.createDirectories(file.getParent());
    Files.writeString(file, value);
    return file;
  }

  private static String reveal(SecretSources s) throws Exception {
    return s.resolve(REF, SecretUse.connector("acme")).reveal();
  }

  @Test
  void anUnchangedFileGivesTheSameSecretAgain() throws Exception {
    write("first-token\n");
    SecretSources s = sources();

    Secret once = s.resolve(REF, SecretUse.connector("acme"));

    assertThat(once.reveal()).isEqualTo("first-token");
    assertThat(s.resolve(REF, SecretUse.connector("acme"))).isSameAs(once);
  }

  @Test
  void aFileRewrittenInPlaceWithTheSameSizeAndTimeIsStillSeenWhenItsTimeMoves() throws Exception {
    Path file = write("first-token");
    SecretSources s = sources();
    FileTime t = FileTime.from(Instant.parse("2026-12-07T10:00:00Z"));
    Files.setLastModifiedTime(file, t);
    assertThat(reveal(s)).isEqualTo("first-token");

    Files.writeString(file, "other-token"); // same length
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-12-07T10:00:01Z")));

    assertThat(reveal(s)).isEqualTo("other-token");
  }

  @Test
  void aFileOfAnotherSizeIsReadAgainEvenWithTheSameModificationTime() throws Exception {
    Path file = write("first-token");
    SecretSources s = sources();
    FileTime t = FileTime.from(Instant.parse("2026-12-07T10:00:00Z"));
    Files.setLastModifiedTime(file, t);
    assertThat(reveal(s)).isEqualTo("first-token");

    Files.writeString(file, "a-longer-rotated-token");
    Files.setLastModifiedTime(file, t);

    assertThat(reveal(s)).isEqualTo("a-longer-rotated-token");
  }

  @Test
  void aFileSwappedForAnotherAsKubernetesRotatesAMountedSecretIsSeen() throws Exception {
    Path dir = data.resolve("secrets");
    Files.createDirectories(dir);
    FileTime t = FileTime.from(Instant.parse("2026-12-07T10:00:00Z"));
    Path v1 = Files.writeString(dir.resolve("v1"), "first-token");
    Path v2 = Files.writeString(dir.resolve("v2"), "other-token");
    Files.setLastModifiedTime(v1, t);
    Files.setLastModifiedTime(v2, t); // same size, same time: only the file differs
    Path link = dir.resolve("token");
    Files.createSymbolicLink(link, v1.getFileName());
    SecretSources s = sources();
    assertThat(reveal(s)).isEqualTo("first-token");

    Path next = dir.resolve("token.next");
    Files.createSymbolicLink(next, v2.getFileName());
    Files.move(next, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

    assertThat(reveal(s)).isEqualTo("other-token");
  }

  @Test
  void aFileThatDisappearsOrEmptiesFailsTheCallInsteadOfServingTheOldValue() throws Exception {
    Path file = write("first-token");
    SecretSources s = sources();
    assertThat(reveal(s)).isEqualTo("first-token");

    Files.writeString(file, "\n");
    assertThatThrownBy(() -> reveal(s))
        .isInstanceOf(SecretResolver.SecretUnavailableException.class)
        .hasMessageContaining("is empty")
        .hasMessageNotContaining("first-token");

    Files.delete(file);
    assertThatThrownBy(() -> reveal(s))
        .isInstanceOf(SecretResolver.SecretUnavailableException.class)
        .hasMessageNotContaining("first-token");
  }
}
