package dev.portcullis.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The Acme sample's API token, kept where the demo configuration's {@code
 * file:secrets/acme-api-token} reference points: created once, readable by its owner only.
 */
final class SampleSecrets {
  static final String ACME_TOKEN = "secrets/acme-api-token";

  private SampleSecrets() {}

  static String acmeToken(Path dataDirectory) {
    Path file = dataDirectory.resolve(ACME_TOKEN);
    try {
      if (Files.isRegularFile(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
      }
      Files.createDirectories(file.getParent());
      byte[] bytes = new byte[24];
      new SecureRandom().nextBytes(bytes);
      String token = "acme_" + HexFormat.of().formatHex(bytes);
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // Windows: the file inherits the directory's access control.
      }
      return token;
    } catch (IOException e) {
      throw new CliException("cannot create the sample token in " + file + ": " + e.getMessage());
    }
  }
}
