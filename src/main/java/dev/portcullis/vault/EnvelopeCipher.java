package dev.portcullis.vault;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Envelope encryption with Tink: each secret version is encrypted with its own fresh data key
 * (AES-256-GCM), and that data key is stored encrypted with the master key. Both encryptions bind
 * the secret's name, version and scopes as associated data, so a sealed value moved to another row
 * does not open, and neither does one whose scopes were edited in the database (wider or narrower):
 * the scopes the vault checks are the ones the operator sealed.
 *
 * <p>Security: the master key is a Tink keyset held only in memory; it comes from a file or an
 * environment variable and is never written beside the data. Data keys exist in clear only for the
 * duration of one seal or open.
 */
public final class EnvelopeCipher {
  static {
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Aead master;

  private EnvelopeCipher(Aead master) {
    this.master = master;
  }

  /** A cipher over the master keyset given as Tink JSON. */
  public static EnvelopeCipher fromKeyset(String json) throws GeneralSecurityException {
    KeysetHandle handle =
        TinkJsonProtoKeysetFormat.parseKeyset(json, config(), InsecureSecretKeyAccess.get());
    return new EnvelopeCipher(handle.getPrimitive(RegistryConfiguration.get(), Aead.class));
  }

  /** A new random master keyset (AES-256-GCM) as Tink JSON: what {@code vault init-key} writes. */
  public static String newMasterKeyset() throws GeneralSecurityException {
    KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, config());
    return TinkJsonProtoKeysetFormat.serializeKeyset(
        handle, config(), InsecureSecretKeyAccess.get());
  }

  /** The sealed form of one secret version: its wrapped data key and its ciphertext. */
  public static final class Sealed {
    private final byte[] wrappedKey;
    private final byte[] ciphertext;

    public Sealed(byte[] wrappedKey, byte[] ciphertext) {
      this.wrappedKey = wrappedKey.clone();
      this.ciphertext = ciphertext.clone();
    }

    public byte[] wrappedKey() {
      return wrappedKey.clone();
    }

    public byte[] ciphertext() {
      return ciphertext.clone();
    }
  }

  /** Seals one version of a secret, bound to its name, version and scopes. */
  public Sealed seal(String name, int version, Set<String> scopes, byte[] plaintext)
      throws GeneralSecurityException {
    return seal(bound(name, version, scopes), plaintext);
  }

  /**
   * Opens what {@link #seal} sealed; fails unless name, version and scopes are exactly as sealed.
   */
  public byte[] open(String name, int version, Set<String> scopes, Sealed sealed)
      throws GeneralSecurityException {
    return open(bound(name, version, scopes), sealed);
  }

  /**
   * Whether {@code scopes} are the ones {@code sealed} was sealed with: checked on the wrapped data
   * key alone, so it answers for a revoked version too, whose ciphertext is gone.
   */
  public boolean sealedWith(String name, int version, Set<String> scopes, Sealed sealed) {
    try {
      TinkProtoKeysetFormat.parseEncryptedKeyset(
          sealed.wrappedKey(), master, bound(name, version, scopes), config());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Opens a version sealed before scopes were bound (seal format 1), to re-seal it. */
  byte[] openUnbound(String name, int version, Sealed sealed) throws GeneralSecurityException {
    return open(unbound(name, version), sealed);
  }

  /** Seals as before scopes were bound (seal format 1): only for tests of rows stored then. */
  Sealed sealUnbound(String name, int version, byte[] plaintext) throws GeneralSecurityException {
    return seal(unbound(name, version), plaintext);
  }

  private Sealed seal(byte[] ad, byte[] plaintext) throws GeneralSecurityException {
    KeysetHandle dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, config());
    byte[] ciphertext =
        dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class).encrypt(plaintext, ad);
    byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, master, ad, config());
    return new Sealed(wrapped, ciphertext);
  }

  private byte[] open(byte[] ad, Sealed sealed) throws GeneralSecurityException {
    KeysetHandle dataKey =
        TinkProtoKeysetFormat.parseEncryptedKeyset(sealed.wrappedKey(), master, ad, config());
    return dataKey
        .getPrimitive(RegistryConfiguration.get(), Aead.class)
        .decrypt(sealed.ciphertext(), ad);
  }

  private static com.google.crypto.tink.Configuration config() throws GeneralSecurityException {
    return RegistryConfiguration.get();
  }

  private static byte[] unbound(String name, int version) {
    return ("portcullis/vault/v1|" + name + "|" + version).getBytes(StandardCharsets.UTF_8);
  }

  /** Scopes sorted, so that the same set always gives the same bytes; no scope holds ',' or '|'. */
  private static byte[] bound(String name, int version, Set<String> scopes) {
    return ("portcullis/vault/v2|"
            + name
            + "|"
            + version
            + "|"
            + String.join(",", new TreeSet<>(scopes)))
        .getBytes(StandardCharsets.UTF_8);
  }
}
