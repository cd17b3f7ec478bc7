package dev.portcullis.vault;

/**
 * Where {@code vault:NAME} references are resolved: the embedded vault (default) or an external
 * one. Resolved at the moment of each call, for the connector that asks.
 */
public interface SecretBackend {
  /**
   * Resolves {@code ref} for {@code use} now.
   *
   * @throws SecretResolver.SecretUnavailableException naming the reference, never a value
   */
  Secret resolve(SecretRef ref, SecretUse use) throws SecretResolver.SecretUnavailableException;
}
