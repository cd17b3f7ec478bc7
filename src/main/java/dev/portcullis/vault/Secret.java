package dev.portcullis.vault;

import java.util.Objects;

/**
 * A resolved secret value, held only for the duration of one connector call.
 *
 * <p>Security: {@link #toString()} never shows the value, so a secret that ends up in a log
 * statement or an exception message by accident prints as its reference only.
 */
public final class Secret {
  private final SecretRef ref;
  private final String value;
  private final int version;

  public Secret(SecretRef ref, String value) {
    this(ref, value, 0);
  }

  /** A secret of a versioned source; {@code version} 0 means the source has no versions. */
  public Secret(SecretRef ref, String value, int version) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.value = Objects.requireNonNull(value, "value");
    this.version = version;
  }

  public SecretRef ref() {
    return ref;
  }

  /** The version used (vault secrets), 0 when the source has none. */
  public int version() {
    return version;
  }

  /** The value itself: hand it to the upstream client and nowhere else. */
  public String reveal() {
    return value;
  }

  /** Replaces every occurrence of this secret in {@code text}, so it can be shown safely. */
  public String maskIn(String text) {
    if (text == null || value.isEmpty()) {
      return text;
    }
    return text.replace(value, "[REDACTED]");
  }

  @Override
  public String toString() {
    return "Secret[" + ref + (version > 0 ? "@" + version : "") + ", value hidden]";
  }
}
