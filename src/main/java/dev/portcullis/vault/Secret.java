package dev.portcullis.vault;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A resolved secret value, held only for the duration of one connector call.
 *
 * <p>Security: {@link #toString()} never shows the value, so a secret that ends up in a log
 * statement or an exception message by accident prints as its reference only. It also knows the
 * source's other live versions (older ones not revoked), never to send them, only so that {@link
 * #maskIn} hides an upstream's echo of any of them.
 */
public final class Secret {
  private final SecretRef ref;
  private final String value;
  private final int version;
  private final SecretMask mask;

  public Secret(SecretRef ref, String value) {
    this(ref, value, 0);
  }

  /** A secret of a versioned source; {@code version} 0 means the source has no versions. */
  public Secret(SecretRef ref, String value, int version) {
    this(ref, value, version, List.of());
  }

  /** As above, with the values of the source's other live versions, masked like this one. */
  public Secret(SecretRef ref, String value, int version, List<String> otherLiveValues) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.value = Objects.requireNonNull(value, "value");
    this.version = version;
    List<String> live = new ArrayList<>(otherLiveValues.size() + 1);
    live.add(value);
    live.addAll(otherLiveValues);
    this.mask = new SecretMask(live);
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

  /**
   * Replaces every copy of this secret in {@code text}, so it can be shown safely: of this value
   * and of the source's other live versions, in any letter case, JSON-escaped, URL-encoded or
   * base64 ({@link SecretMask}).
   */
  public String maskIn(String text) {
    return text == null ? null : mask.mask(text);
  }

  @Override
  public String toString() {
    return "Secret[" + ref + (version > 0 ? "@" + version : "") + ", value hidden]";
  }
}
