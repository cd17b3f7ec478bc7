package dev.portcullis.store;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * How the ledger stores hex and times compactly, losslessly: lower-case hex of even length (hashes,
 * digests, trace and session ids as this gateway writes them) as its bytes, any other text as it
 * is; instants as integers since the epoch. Reading gives back exactly the text or instant written.
 */
final class Packed {
  private static final HexFormat HEX = HexFormat.of();

  private Packed() {}

  /**
   * What a hex column stores for {@code text}: its bytes when it is lower-case hex, else itself.
   */
  static Object hex(String text) {
    if (text == null || text.isEmpty() || text.length() % 2 == 1) {
      return text;
    }
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (!(ch >= '0' && ch <= '9') && !(ch >= 'a' && ch <= 'f')) {
        return text;
      }
    }
    return HEX.parseHex(text);
  }

  /** The text a hex column's {@code stored} value stands for (null for null). */
  static String text(Object stored) {
    return switch (stored) {
      case null -> null;
      case byte[] bytes -> HEX.formatHex(bytes);
      default -> stored.toString();
    };
  }

  /**
   * What a record's invocation id column stores for {@code id}: its 16 bytes when it is a UUID in
   * canonical (lower-case) form, as this gateway mints them, else the text itself.
   */
  static Object id(String id) {
    if (id == null || id.length() != 36) {
      return id;
    }
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return id;
    }
    if (!uuid.toString().equals(id)) {
      return id;
    }
    return ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits())
        .array();
  }

  /** The invocation id a record's stored {@code id} column stands for. */
  static String idText(Object stored) {
    if (stored instanceof byte[] bytes && bytes.length == 16) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      return new UUID(b.getLong(), b.getLong()).toString();
    }
    return text(stored);
  }

  /**
   * SQL for what {@link #id} stores for the text id in {@code column}: the same rule, for a query
   * that matches records to rows.
   */
  static String idSql(String column) {
    String hex = "replace(" + column + ", '-', '')";
    return "CASE WHEN length("
        + column
        + ") = 36 AND substr("
        + column
        + ", 9, 1) = '-' AND substr("
        + column
        + ", 14, 1) = '-' AND substr("
        + column
        + ", 19, 1) = '-' AND substr("
        + column
        + ", 24, 1) = '-' AND length("
        + hex
        + ") = 32 AND "
        + hex
        + " NOT GLOB '*[^0-9a-f]*' THEN unhex("
        + hex
        + ") ELSE "
        + column
        + " END";
  }

  /** Nanoseconds since the epoch (fits a long until 2262). */
  static long nanos(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
  }

  static Instant ofNanos(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
