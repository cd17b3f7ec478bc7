package dev.portcullis.connector.http;

import dev.portcullis.vault.SecretRef;
import java.util.Objects;

/**
 * How a connector presents its credential: as {@code Authorization: Bearer <secret>}, or as the
 * value of a named header. Holds the reference only; the value is resolved per call.
 */
public record HttpAuth(String header, String prefix, SecretRef secret) {
  public HttpAuth {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(secret, "secret");
  }

  public static HttpAuth bearer(SecretRef secret) {
    return new HttpAuth("Authorization", "Bearer ", secret);
  }

  public static HttpAuth header(String name, SecretRef secret) {
    return new HttpAuth(name, "", secret);
  }
}
