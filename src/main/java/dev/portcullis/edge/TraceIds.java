package dev.portcullis.edge;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Trace ids in W3C form (32 lowercase hex, not all zero): taken from a valid {@code traceparent},
 * else from {@code X-Trace-Id} when it is one (a UUID's dashes are dropped), else new. An invalid
 * header is ignored, as W3C Trace Context asks, never an error.
 */
final class TraceIds {
  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?");
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final String ZERO = "0".repeat(32);
  private static final SecureRandom RANDOM = new SecureRandom();

  private TraceIds() {}

  static String choose(String traceparent, String xTraceId) {
    if (traceparent != null) {
      var m = TRACEPARENT.matcher(traceparent.strip());
      if (m.matches() && !traceparent.startsWith("ff") && !m.group(1).equals(ZERO)) {
        return m.group(1);
      }
    }
    if (xTraceId != null) {
      String candidate = xTraceId.strip().replace("-", "").toLowerCase(java.util.Locale.ROOT);
      if (TRACE_ID.matcher(candidate).matches() && !candidate.equals(ZERO)) {
        return candidate;
      }
    }
    return random(16);
  }

  static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
