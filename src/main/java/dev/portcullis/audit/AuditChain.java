package dev.portcullis.audit;

import dev.portcullis.invocation.AuditEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hash chain: {@code hash = SHA-256(canonical(seq, entry, prevHash))}, hex encoded. The
 * canonical form is JSON with a fixed field order, so the same record always hashes the same and
 * any changed field, removed record or swapped pair breaks the chain.
 */
public final class AuditChain {
  /** The previous hash of the first record. */
  public static final String GENESIS = "0".repeat(64);

  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private AuditChain() {}

  public static AuditRecord link(long seq, AuditEntry entry, String prevHash) {
    return new AuditRecord(seq, entry, prevHash, hash(seq, entry, prevHash));
  }

  public static String hash(long seq, AuditEntry e, String prevHash) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberProperty("seq", seq);
      g.writeStringProperty("recordedAt", timestamp(e));
      g.writeStringProperty("invocationId", e.invocationId());
      g.writeStringProperty("traceId", e.traceId());
      g.writeStringProperty("requestId", e.requestId());
      g.writeStringProperty("tenant", e.tenant());
      g.writeStringProperty("agentId", e.agentId());
      g.writeStringProperty("userId", e.userId());
      g.writeStringProperty("sessionId", e.sessionId());
      g.writeStringProperty("channel", e.channel());
      g.writeStringProperty("toolName", e.toolName());
      g.writeStringProperty("toolVersion", e.toolVersion());
      g.writeStringProperty("descriptorHash", e.descriptorHash());
      g.writeStringProperty("arguments", e.arguments());
      g.writeStringProperty("argumentsDigest", e.argumentsDigest());
      g.writeStringProperty("state", e.state());
      g.writeStringProperty("decision", e.decision());
      g.writeArrayPropertyStart("reasons");
      for (String reason : e.reasons()) {
        g.writeString(reason);
      }
      g.writeEndArray();
      g.writeStringProperty("errorKind", e.errorKind());
      g.writeStringProperty("errorDetail", e.errorDetail());
      if (e.durationMs() == null) {
        g.writeNullProperty("durationMs");
      } else {
        g.writeNumberProperty("durationMs", e.durationMs());
      }
      g.writeStringProperty("configHash", e.configHash());
      // Added after the first release of the chain: hashed only when present, so older records
      // still verify, and blanking one of them still breaks the hash.
      optional(g, "policyVersion", e.policyVersion());
      optional(g, "shadows", e.shadows());
      optional(g, "user", e.user());
      optional(g, "context", e.context());
      optional(g, "filtered", e.filtered());
      optional(g, "credential", e.credential());
      g.writeStringProperty("prevHash", prevHash);
      g.writeEndObject();
    }
    return sha256Hex(out.toByteArray());
  }

  private static void optional(JsonGenerator g, String name, String value) {
    if (value != null) {
      g.writeStringProperty(name, value);
    }
  }

  /** The timestamp as stored: UTC, millisecond precision. */
  public static String timestamp(AuditEntry e) {
    return TIME.format(e.recordedAt().truncatedTo(ChronoUnit.MILLIS));
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  public static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }
}
