package dev.portcullis.service.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Portcullis-Signature} header of a webhook delivery: {@code t=<unix seconds>,v1=<hex>},
 * where {@code v1} is HMAC-SHA256, keyed with the channel's secret (its UTF-8 bytes), of {@code
 * "<t>.<body>"}. A receiver recomputes it over the raw body it got, compares in constant time, and
 * refuses a {@code t} too far from its own clock (a replay).
 */
public final class WebhookSignature {
  public static final String HEADER = "Portcullis-Signature";

  private WebhookSignature() {}

  /** The header value for {@code body} sent at {@code unixSeconds}. */
  public static String header(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds, body);
  }

  /** The hex HMAC-SHA256 of {@code "<t>.<body>"} under {@code secret}. */
  public static String hmac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }
}
