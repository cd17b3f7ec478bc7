package dev.portcullis.edge;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * MCP session ids every node of an installation can verify: {@code
 * s1.<agent>.<version>.<issued>.<nonce>.<mac>}, the agent id and nonce in unpadded base64url, the
 * issue time in epoch milliseconds, and an HMAC-SHA256 over everything before the last dot, keyed
 * by the installation's session key.
 *
 * <p>Security: a forged, truncated, altered or re-signed id fails here, before any store is read,
 * and so does a genuine id presented with another agent's key; only then is the store asked whether
 * the session is still live. The MAC is compared in constant time. Ids are bounded in length before
 * they are parsed.
 */
final class McpSessionIds {
  /** What a verified id says. */
  record Claims(String agentId, String protocolVersion, Instant issuedAt) {}

  /** The longest id read; a longer one is refused unread. */
  static final int MAX_LENGTH = 512;

  private static final String PREFIX = "s1";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  McpSessionIds(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("an MCP session key needs at least 32 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  /** A fresh random key for an installation. */
  static byte[] newKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  /** A new id for a session {@code agentId} opens at {@code issuedAt} with {@code version}. */
  String mint(String agentId, String version, Instant issuedAt) {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String body =
        PREFIX
            + "."
            + B64.encodeToString(agentId.getBytes(StandardCharsets.UTF_8))
            + "."
            + version
            + "."
            + issuedAt.toEpochMilli()
            + "."
            + B64.encodeToString(nonce);
    return body + "." + B64.encodeToString(mac(body));
  }

  /** What {@code id} says, if this installation signed it for {@code agentId}; else empty. */
  Optional<Claims> verify(String id, String agentId) {
    if (id == null || id.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    int lastDot = id.lastIndexOf('.');
    if (lastDot <= 0) {
      return Optional.empty();
    }
    String body = id.substring(0, lastDot);
    // Compared as the text this installation issues, not as decoded bytes: the last base64
    // character carries bits a decoder ignores, so several spellings would decode to one MAC and
    // one session would have several ids.
    byte[] given = id.substring(lastDot + 1).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = B64.encodeToString(mac(body)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return Optional.empty();
    }
    // Signed by this installation, so well formed; still read defensively.
    String[] parts = body.split("\\.", -1);
    if (parts.length != 5 || !parts[0].equals(PREFIX)) {
      return Optional.empty();
    }
    try {
      String agent = new String(B64_DECODER.decode(parts[1]), StandardCharsets.UTF_8);
      if (!agent.equals(agentId)) {
        return Optional.empty();
      }
      return Optional.of(
          new Claims(agent, parts[2], Instant.ofEpochMilli(Long.parseLong(parts[3]))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private byte[] mac(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
