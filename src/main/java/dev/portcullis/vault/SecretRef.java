package dev.portcullis.vault;

import java.util.Objects;

/**
 * Where a secret lives, never what it is: {@code vault:NAME} (the embedded vault), {@code env:NAME}
 * (an environment variable) or {@code file:PATH} (a file; a relative path resolves against the data
 * directory). Configuration holds only these references.
 */
public record SecretRef(String scheme, String location) {
  public SecretRef {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(location, "location");
  }

  /**
   * Parses {@code env:NAME} or {@code file:PATH}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static SecretRef parse(String text) {
    int colon = text.indexOf(':');
    String scheme = colon < 0 ? "" : text.substring(0, colon);
    String location = colon < 0 ? "" : text.substring(colon + 1);
    if (!(scheme.equals("env") || scheme.equals("file") || scheme.equals("vault"))
        || location.isBlank()) {
      throw new IllegalArgumentException(
          "secret reference '" + text + "' must be vault:NAME, env:NAME or file:PATH");
    }
    return new SecretRef(scheme, location);
  }

  @Override
  public String toString() {
    return scheme + ":" + location;
  }
}
