package dev.portcullis.invocation;

/** What a policy decided for one call. */
public enum Effect {
  ALLOW,
  DENY,
  REQUIRE_APPROVAL;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
