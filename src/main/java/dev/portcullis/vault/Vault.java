package dev.portcullis.vault;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The embedded credential vault: named secrets with versions, each sealed by {@link EnvelopeCipher}
 * and scoped to the connectors that may use it. A connector asks at the moment of a call and gets
 * the newest version that is not revoked, so a rotation or a revocation takes effect on the next
 * call, without a restart. The secret it gets also knows the older versions not yet revoked, so
 * that an upstream's echo of any live version is masked.
 *
 * <p>Security: values are accepted and returned as bytes or a {@link Secret}, never logged; errors
 * name the secret and version, never a value. A connector outside a secret's scope is refused. The
 * scopes are sealed with the value ({@link EnvelopeCipher}), and a revocation erases the
 * ciphertext, so whoever can write the database but has no master key can neither widen a secret's
 * scope nor undo its revocation: the secret is refused instead (a typed failure, nothing sent).
 */
public final class Vault implements SecretBackend {
  public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?");

  private final SecretStore store;
  private final Optional<EnvelopeCipher> cipher;
  private final Clock clock;

  /** {@code cipher} is empty when no master key is configured: listing and revoking still work. */
  public Vault(SecretStore store, Optional<EnvelopeCipher> cipher, Clock clock) {
    this.store = store;
    this.cipher = cipher;
    this.clock = clock;
  }

  /** Stores the first version of a new secret. */
  public SecretStore.SealedSecret put(String name, byte[] value, Set<String> scopes)
      throws SecretStore.VaultException, VaultRefusal {
    check(name);
    if (scopes.isEmpty()) {
      throw new VaultRefusal(
          "name the connectors (or connector/tool) that may use " + name + " with --scope");
    }
    for (String scope : scopes) {
      try {
        SecretUse.checkScope(scope);
      } catch (IllegalArgumentException e) {
        throw new VaultRefusal(e.getMessage());
      }
    }
    if (store.latest(name).isPresent()) {
      throw new VaultRefusal("secret " + name + " exists; use 'vault rotate' to add a version");
    }
    return store(name, 1, value, scopes);
  }

  /**
   * Adds a new version of an existing secret, with the same scopes; it is used from the next call.
   * The scopes are taken from the newest version only once its seal vouches for them, so a scope
   * widened in the database is never carried into a new seal.
   */
  public SecretStore.SealedSecret rotate(String name, byte[] value)
      throws SecretStore.VaultException, VaultRefusal {
    SecretStore.SealedSecret latest =
        store
            .latest(name)
            .orElseThrow(() -> new VaultRefusal("no secret named " + name + "; use 'vault put'"));
    EnvelopeCipher c =
        cipher.orElseThrow(
            () ->
                new VaultRefusal(
                    "no master key: pass --master-key-file or set PORTCULLIS_MASTER_KEY_FILE (create one with 'vault init-key')"));
    if (latest.sealFormat() == SecretStore.SealedSecret.BOUND
        && !c.sealedWith(latest.name(), latest.version(), latest.scopes(), latest.sealed())) {
      throw new VaultRefusal(
          "the scopes of "
              + name
              + " version "
              + latest.version()
              + " were changed outside the vault; nothing was stored");
    }
    return store(name, latest.version() + 1, value, latest.scopes());
  }

  public int revoke(String name, Integer version) throws SecretStore.VaultException, VaultRefusal {
    int n = store.revoke(name, version, clock.instant());
    if (n == 0) {
      throw new VaultRefusal(
          "no active " + (version == null ? "version" : "version " + version) + " of " + name);
    }
    return n;
  }

  public List<SecretStore.SealedSecret> list() throws SecretStore.VaultException {
    return store.list();
  }

  /**
   * Re-seals every active version stored before seals bound scopes (V11), binding the scopes it has
   * now; returns how many. The gateway runs it at start when it has the master key. Until then such
   * a version still opens (an upgrade never locks out a stored secret), and its scopes are as
   * trustworthy as the database: the same as before the upgrade, never less.
   *
   * @throws SecretStore.VaultException when the store cannot be read or written
   * @throws VaultRefusal when there is no master key, or a version does not open with it
   */
  public int resealUnbound() throws SecretStore.VaultException, VaultRefusal {
    EnvelopeCipher c =
        cipher.orElseThrow(() -> new VaultRefusal("no master key: cannot re-seal the vault"));
    int n = 0;
    for (SecretStore.SealedSecret s : store.list()) {
      if (!s.active() || s.sealFormat() != SecretStore.SealedSecret.UNBOUND) {
        continue;
      }
      try {
        byte[] value = c.openUnbound(s.name(), s.version(), s.sealed());
        if (store.reseal(s.name(), s.version(), c.seal(s.name(), s.version(), s.scopes(), value))) {
          n++;
        }
      } catch (GeneralSecurityException e) {
        throw new VaultRefusal(
            "secret "
                + s.name()
                + " version "
                + s.version()
                + " does not open with this master key");
      }
    }
    return n;
  }

  /** The newest active version of {@code name}, for a use its scopes cover. */
  @Override
  public Secret resolve(SecretRef ref, SecretUse use)
      throws SecretResolver.SecretUnavailableException {
    String name = ref.location();
    EnvelopeCipher c =
        cipher.orElseThrow(
            () ->
                new SecretResolver.SecretUnavailableException(
                    "secret "
                        + ref
                        + " is in the vault, but no master key is configured (PORTCULLIS_MASTER_KEY_FILE)"));
    List<SecretStore.SealedSecret> live;
    try {
      live = store.active(name);
    } catch (SecretStore.VaultException e) {
      throw new SecretResolver.SecretUnavailableException(
          "the vault cannot be read: " + e.getMessage());
    }
    if (live.isEmpty()) {
      throw new SecretResolver.SecretUnavailableException(
          "secret " + ref + " has no active version");
    }
    SecretStore.SealedSecret s = live.getFirst();
    if (!use.allowedBy(s.scopes())) {
      throw new SecretResolver.SecretUnavailableException(
          "secret " + ref + " is not scoped to " + use);
    }
    String value = open(c, ref, s);
    // the older live versions are opened only so that an upstream's echo of one is masked too
    List<String> older = new ArrayList<>(live.size() - 1);
    for (SecretStore.SealedSecret o : live.subList(1, live.size())) {
      older.add(open(c, ref, o));
    }
    return new Secret(ref, value, s.version(), older);
  }

  private static String open(EnvelopeCipher c, SecretRef ref, SecretStore.SealedSecret s)
      throws SecretResolver.SecretUnavailableException {
    if (s.sealed().ciphertext().length == 0) {
      // only a revocation empties a seal: this row was revoked, whatever revoked_at says now
      throw new SecretResolver.SecretUnavailableException(
          "secret " + ref + " version " + s.version() + " was revoked: its sealed value is gone");
    }
    try {
      byte[] value =
          s.sealFormat() == SecretStore.SealedSecret.UNBOUND
              ? c.openUnbound(s.name(), s.version(), s.sealed())
              : c.open(s.name(), s.version(), s.scopes(), s.sealed());
      return new String(value, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new SecretResolver.SecretUnavailableException(
          "secret " + ref + " version " + s.version() + " does not open with this master key");
    }
  }

  private SecretStore.SealedSecret store(String name, int version, byte[] value, Set<String> scopes)
      throws SecretStore.VaultException, VaultRefusal {
    if (value.length == 0) {
      throw new VaultRefusal("the value of " + name + " is empty");
    }
    EnvelopeCipher c =
        cipher.orElseThrow(
            () ->
                new VaultRefusal(
                    "no master key: pass --master-key-file or set PORTCULLIS_MASTER_KEY_FILE (create one with 'vault init-key')"));
    try {
      SecretStore.SealedSecret s =
          new SecretStore.SealedSecret(
              name,
              version,
              scopes,
              c.seal(name, version, scopes, value),
              clock.instant(),
              null,
              SecretStore.SealedSecret.BOUND);
      store.insert(s);
      return s;
    } catch (GeneralSecurityException e) {
      throw new VaultRefusal("cannot seal " + name + ": " + e.getMessage());
    }
  }

  private static void check(String name) throws VaultRefusal {
    if (!NAME.matcher(name).matches()) {
      throw new VaultRefusal(
          "'" + name + "' is not a secret name: lowercase letters, digits, '.', '_', '-'");
    }
  }

  /** An operator request the vault refuses; the message says why and what to do. */
  public static final class VaultRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    public VaultRefusal(String message) {
      super(message);
    }
  }
}
