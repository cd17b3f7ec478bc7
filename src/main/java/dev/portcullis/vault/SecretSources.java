package dev.portcullis.vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves {@code vault:} references from the embedded vault, {@code env:} references from the
 * process environment and {@code file:} references from files (relative paths under the data
 * directory); the last two are for development.
 *
 * <p>Security: a file secret is read fresh on every call so that a rotated file takes effect at
 * once; trailing line breaks are stripped (editors add them). Errors name the reference only.
 */
public final class SecretSources implements SecretResolver {
  private final Map<String, String> environment;
  private final Path dataDirectory;
  private final java.util.Optional<SecretBackend> vault;

  public SecretSources(Map<String, String> environment, Path dataDirectory) {
    this(environment, dataDirectory, java.util.Optional.empty());
  }

  /** Also resolves {@code vault:} references from {@code vault}. */
  public SecretSources(
      Map<String, String> environment,
      Path dataDirectory,
      java.util.Optional<SecretBackend> vault) {
    this.environment = Map.copyOf(environment);
    this.dataDirectory = dataDirectory;
    this.vault = vault;
  }

  @Override
  public Secret resolve(SecretRef ref, SecretUse use) throws SecretUnavailableException {
    return switch (ref.scheme()) {
      case "env" -> fromEnvironment(ref);
      case "file" -> fromFile(ref);
      case "vault" ->
          vault
              .orElseThrow(
                  () ->
                      new SecretUnavailableException(
                          "secret " + ref + " is in the vault, which is not available here"))
              .resolve(ref, use);
      default -> throw new SecretUnavailableException("unsupported secret reference " + ref);
    };
  }

  private Secret fromEnvironment(SecretRef ref) throws SecretUnavailableException {
    String value = environment.get(ref.location());
    if (value == null || value.isEmpty()) {
      throw new SecretUnavailableException(
          "secret " + ref + " is not set: export " + ref.location() + " before starting");
    }
    return new Secret(ref, value);
  }

  private Secret fromFile(SecretRef ref) throws SecretUnavailableException {
    Path path = dataDirectory.resolve(ref.location());
    try {
      String value = Files.readString(path, StandardCharsets.UTF_8).strip();
      if (value.isEmpty()) {
        throw new SecretUnavailableException("secret " + ref + " is empty (" + path + ")");
      }
      return new Secret(ref, value);
    } catch (IOException e) {
      throw new SecretUnavailableException(
          "secret " + ref + " cannot be read from " + path + ": " + e.getClass().getSimpleName());
    }
  }
}
