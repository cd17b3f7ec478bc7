package dev.portcullis.vault;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where sealed secrets are kept: versions of named secrets, each with the connectors it may serve.
 * Holds ciphertext only; the store never sees a value.
 */
public interface SecretStore {
  /**
   * One stored version. {@code revokedAt} is set once it may no longer be used (its ciphertext is
   * then empty). {@code sealFormat} says what the seal binds: {@link #BOUND} name, version and
   * scopes; {@link #UNBOUND} (rows stored before V11) name and version only.
   */
  record SealedSecret(
      String name,
      int version,
      Set<String> scopes,
      EnvelopeCipher.Sealed sealed,
      Instant createdAt,
      Instant revokedAt,
      int sealFormat) {
    public static final int UNBOUND = 1;
    public static final int BOUND = 2;

    public SealedSecret {
      scopes = Set.copyOf(scopes);
    }

    public boolean active() {
      return revokedAt == null;
    }
  }

  /** Adds a version; fails if that name and version exist. */
  void insert(SealedSecret secret) throws VaultException;

  /** The highest version of {@code name}, active or not; empty if the name is unknown. */
  Optional<SealedSecret> latest(String name) throws VaultException;

  /** The versions of {@code name} not revoked, newest first; empty if none. */
  List<SealedSecret> active(String name) throws VaultException;

  /**
   * Revokes one version, or every version when {@code version} is null, and erases its ciphertext
   * in the same write, so that no later edit of the row can make it usable again (the wrapped data
   * key stays: it still vouches for the scopes, and opens nothing alone); returns how many.
   */
  int revoke(String name, Integer version, Instant at) throws VaultException;

  /**
   * Replaces the seal of an active {@link SealedSecret#UNBOUND} version with a {@link
   * SealedSecret#BOUND} one; false when the row is no longer active and unbound.
   */
  boolean reseal(String name, int version, EnvelopeCipher.Sealed bound) throws VaultException;

  /** Every version of every secret, by name then version. */
  List<SealedSecret> list() throws VaultException;

  /** The store cannot be read or written. */
  final class VaultException extends Exception {
    private static final long serialVersionUID = 1L;

    public VaultException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
