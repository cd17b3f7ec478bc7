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

/**
 * Envelope encryption with Tink: each secret version is encrypted with its own fresh data key
 * (AES-256-GCM), and that data key is stored encrypted with the master key. Both encryptions bind
 * the secret's name and version as associated data, so a sealed value moved to another row does not
 * open.
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
    KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeyset(json, config(), InsecureSecretKeyAccess.get());
    return new EnvelopeCipher(handle.getPrimitive(RegistryConfiguration.get(), Aead.class));
  }

  /** A new random master keyset (AES-256-GCM) as Tink JSON: what {@code vault init-key} writes. */
  public static String newMasterKeyset() throws GeneralSecurityException {
    KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, config());
    return TinkJsonProtoKeysetFormat.serializeKeyset(handle, config(), InsecureSecretKeyAccess.get());
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

  public Sealed seal(String name, int version, byte[] plaintext) throws GeneralSecurityException {
    byte[] ad = associatedData(name, version);
    KeysetHandle dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, config());
    byte[] ciphertext = dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class).encrypt(plaintext, ad);
    byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, master, ad, config());
    return new Sealed(wrapped, ciphertext);
  }

  public byte[] open(String name, int version, Sealed sealed) throws GeneralSecurityException {
    byte[] ad = associatedData(name, version);
    KeysetHandle dataKey = TinkProtoKeysetFormat.parseEncryptedKeyset(sealed.wrappedKey(), master, ad, config());
    return dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class).decrypt(sealed.ciphertext(), ad);
  }

  private static com.google.crypto.tink.Configuration config() throws GeneralSecurityException {
    return RegistryConfiguration.get();
  }

  private static byte[] associatedData(String name, int version) {
    return ("portcullis/vault/v1|" + name + "|" + version).getBytes(StandardCharsets.UTF_8);
  }
}
