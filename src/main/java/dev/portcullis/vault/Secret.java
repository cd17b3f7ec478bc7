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

  public Secret(SecretRef ref, String value) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.value = Objects.requireNonNull(value, "value");
  }

  public SecretRef ref() {
    return ref;
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
    return "Secret[" + ref + ", value hidden]";
  }
}
