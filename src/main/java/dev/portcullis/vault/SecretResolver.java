package dev.portcullis.vault;

/** Resolves a secret reference at the moment a connector needs it; nothing is cached here. */
public interface SecretResolver {
  /**
   * Resolves {@code ref} now, for {@code use} (sources with scopes refuse a use outside them).
   *
   * @throws SecretUnavailableException when the secret is missing or unreadable; its message names
   *     the reference, never a value
   */
  Secret resolve(SecretRef ref, SecretUse use) throws SecretUnavailableException;

  /** As {@link #resolve(SecretRef, SecretUse)} for a connection-wide use by {@code connector}. */
  default Secret resolve(SecretRef ref, String connector) throws SecretUnavailableException {
    return resolve(ref, SecretUse.connector(connector));
  }

  /** The secret could not be resolved. */
  final class SecretUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SecretUnavailableException(String message) {
      super(message);
    }
  }
}
