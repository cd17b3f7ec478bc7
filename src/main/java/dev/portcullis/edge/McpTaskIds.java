package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * MCP task ids (the tasks extension) that name a parked invocation and that every node of an
 * installation can verify: {@code t1.<invocationId>.<mac>}, the MAC an HMAC-SHA256, in unpadded
 * base64url, over {@code t1.<invocationId>} and the agent (tenant and id) the task was made for,
 * keyed by the installation's task key. The task is the invocation: nothing more is stored, and the
 * id is good as long as the invocation is kept.
 *
 * <p>Security: the id is not a bearer token; {@code tasks/get} and {@code tasks/cancel} also check
 * that the call is the asking agent's (and its user's). The MAC makes a guessed, altered or other
 * installation's id, and a genuine id presented by another agent, fail here, before any store is
 * read, with the same answer as an id of no task ({@link #verify} is empty for each); each id has
 * one spelling (the MAC is compared as its canonical base64url text). Only an id that cannot be one
 * of ours at all (too long, wrong shape) is told apart, as malformed: its form says nothing about
 * any task. The MAC is compared in constant time.
 */
final class McpTaskIds {
  /** The longest id read; a longer one is malformed, unread. */
  static final int MAX_LENGTH = 256;

  private static final String PREFIX = "t1";

  /** The shape of every id this class mints: an invocation id is a UUID. */
  private static final Pattern SHAPE =
      Pattern.compile(
          "t1\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.[A-Za-z0-9_-]{43}");

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  McpTaskIds(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("an MCP task key needs at least 32 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  /** A fresh random key for an installation. */
  static byte[] newKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  /** The task id of invocation {@code invocationId}, made by {@code agent}. */
  String mint(String invocationId, AgentRef agent) {
    String body = PREFIX + "." + invocationId;
    return body + "." + B64.encodeToString(mac(body, agent));
  }

  /** Whether {@code id} has the shape of an id this class mints (says nothing of its MAC). */
  static boolean wellFormed(String id) {
    return id != null && id.length() <= MAX_LENGTH && SHAPE.matcher(id).matches();
  }

  /**
   * The invocation id that {@code id} names, if this installation minted it for {@code agent};
   * empty for a malformed, forged or altered id and for another agent's.
   */
  Optional<String> verify(String id, AgentRef agent) {
    if (!wellFormed(id)) {
      return Optional.empty();
    }
    int lastDot = id.lastIndexOf('.');
    String body = id.substring(0, lastDot);
    // Compared as text, not decoded: the last base64 character has bits a decoder ignores, so
    // decoding would let several spellings of one id verify.
    byte[] expected = B64.encodeToString(mac(body, agent)).getBytes(StandardCharsets.US_ASCII);
    byte[] given = id.substring(lastDot + 1).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return Optional.empty();
    }
    return Optional.of(body.substring(PREFIX.length() + 1));
  }

  private byte[] mac(String body, AgentRef agent) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      // Lengths first, so no two (tenant, agent) pairs give the same bytes.
      byte[] tenant = agent.tenant().getBytes(StandardCharsets.UTF_8);
      byte[] agentId = agent.id().getBytes(StandardCharsets.UTF_8);
      mac.update(body.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(Integer.toString(tenant.length).getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) ':');
      mac.update(tenant);
      mac.update(agentId);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
