package dev.portcullis.config;

import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.util.Optional;

/**
 * Where {@code vault:NAME} references resolve: the embedded vault in the data directory (default),
 * or a HashiCorp Vault KV v2 engine ({@code address}, {@code mount}, and a {@code token} reference
 * that must be {@code env:} or {@code file:}).
 */
public record VaultSettings(Optional<HashiCorp> hashiCorp) {
  public static final VaultSettings EMBEDDED = new VaultSettings(Optional.empty());

  /** A HashiCorp Vault KV v2 engine. */
  public record HashiCorp(URI address, String mount, SecretRef token, String namespace) {}
}
