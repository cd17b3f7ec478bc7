package dev.portcullis.invocation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The idempotency key a connector sends upstream, derived from the call's own: {@code pcl1-} and
 * the unpadded base64url HMAC-SHA256, under this installation's key, of the tenant, the agent and
 * the agent's key (each length-prefixed). The same call retried under the same key sends the same
 * upstream key, across restarts (the installation key is stored); two agents, or two tenants, never
 * share an upstream key space, whatever keys they choose.
 *
 * <p>Security: the agent's key is never forwarded verbatim. Without the installation key nobody,
 * the agent included, can compute an upstream key, so no one calling the upstream directly can take
 * a key the gateway will use later and plant an answer under it.
 *
 * <p>Concurrency: immutable; a {@link Mac} per call.
 */
public final class UpstreamKeys {
  /** What every derived key starts with: the scheme's name and version. */
  public static final String PREFIX = "pcl1-";

  /** Bytes of installation key. */
  public static final int KEY_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  public UpstreamKeys(byte[] installationKey) {
    if (installationKey.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "the upstream key derivation needs a " + KEY_BYTES + "-byte key");
    }
    this.key = new SecretKeySpec(installationKey.clone(), ALGORITHM);
  }

  /** A fresh random installation key, for a store to keep (and for tests). */
  public static byte[] newInstallationKey() {
    byte[] bytes = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  /** The key to send upstream for {@code invocation}, if the call carries one. */
  public Optional<String> forUpstream(Invocation invocation) {
    if (invocation.idempotencyKey() == null) {
      return Optional.empty();
    }
    return Optional.of(
        derive(invocation.tenant(), invocation.agent().id(), invocation.idempotencyKey()));
  }

  String derive(String tenant, String agent, String agentKey) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      for (String part : new String[] {tenant, agent, agentKey}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        mac.update(bytes);
      }
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }
}
