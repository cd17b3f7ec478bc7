package dev.portcullis.vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves {@code vault:} references from the embedded vault, {@code env:} references from the
 * process environment and {@code file:} references from files (relative paths under the data
 * directory); the last two are for development.
 *
 * <p>Security: a rotated file secret takes effect at once: every call looks at the file (its
 * identity, size and modification time, one {@code stat}) and reads it again when any of them
 * changed, so an edit in place and a swapped symlink (how Kubernetes rotates a mounted secret) are
 * both seen; an unchanged file is not read again. Trailing line breaks are stripped (editors add
 * them). Errors name the reference only.
 */
public final class SecretSources implements SecretResolver {
  private final Map<String, String> environment;
  private final Path dataDirectory;
  private final java.util.Optional<SecretBackend> vault;
  private final Map<SecretRef, FileSecret> files = new ConcurrentHashMap<>();

  /** A file secret as last read, with what the file looked like then. */
  private record FileSecret(Object identity, long size, FileTime modified, Secret secret) {
    boolean describes(BasicFileAttributes now) {
      return identity != null
          && Objects.equals(identity, now.fileKey())
          && size == now.size()
          && modified.equals(now.lastModifiedTime());
    }
  }

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
      BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
      FileSecret known = files.get(ref);
      if (known != null && known.describes(now)) {
        return known.secret();
      }
      String value = Files.readString(path, StandardCharsets.UTF_8).strip();
      if (value.isEmpty()) {
        files.remove(ref);
        throw new SecretUnavailableException("secret " + ref + " is empty (" + path + ")");
      }
      Secret secret = new Secret(ref, value);
      // a change between the look and the read is seen by the next call: the look is older
      files.put(ref, new FileSecret(now.fileKey(), now.size(), now.lastModifiedTime(), secret));
      return secret;
    } catch (IOException e) {
      files.remove(ref);
      throw new SecretUnavailableException(
          "secret " + ref + " cannot be read from " + path + ": " + e.getClass().getSimpleName());
    }
  }
}
