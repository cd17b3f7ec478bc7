package dev.portcullis.cli;

import dev.portcullis.vault.EnvelopeCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the vault's master key: {@code --master-key-file}, else {@code
 * $PORTCULLIS_MASTER_KEY_FILE}, else the keyset itself in {@code $PORTCULLIS_MASTER_KEY}. A key
 * file inside the data directory is refused: the key must never sit beside the data it protects.
 */
final class MasterKeys {
  static final String FILE_ENV = "PORTCULLIS_MASTER_KEY_FILE";
  static final String VALUE_ENV = "PORTCULLIS_MASTER_KEY";

  private MasterKeys() {}

  static Optional<EnvelopeCipher> load(Path option, Map<String, String> env, Path dataDirectory) {
    Path file =
        option != null
            ? option
            : Optional.ofNullable(env.get(FILE_ENV))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .orElse(null);
    String json;
    if (file != null) {
      Path absolute = file.toAbsolutePath().normalize();
      if (absolute.startsWith(dataDirectory.toAbsolutePath().normalize())) {
        throw new CliException(
            "the master key file "
                + absolute
                + " is inside the data directory; keep it elsewhere"
                + " (a key beside the data it protects protects nothing)");
      }
      try {
        json = Files.readString(absolute, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CliException(
            "cannot read the master key file " + absolute + ": " + e.getMessage());
      }
    } else {
      json = env.get(VALUE_ENV);
      if (json == null || json.isBlank()) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(EnvelopeCipher.fromKeyset(json));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new CliException(
          "the master key is not a Tink keyset; create one with 'portcullis vault init-key --out FILE'");
    }
  }
}
