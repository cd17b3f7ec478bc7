package dev.portcullis.vault;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who asks for a secret: a connector, and the tool whose call needs it when the secret is used for
 * one call only. A connection-wide credential (a database pool's password, an OAuth client secret
 * whose token every tool shares) is asked for by the connector alone.
 *
 * <p>A secret's scopes are written {@code CONNECTOR} (every tool on it) or {@code CONNECTOR/TOOL}
 * (that tool only); {@link #allowedBy} is the one place that reads them.
 */
public record SecretUse(String connector, Optional<String> tool) {
  private static final Pattern SCOPE =
      Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63})?");

  public SecretUse {
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(tool, "tool");
  }

  public static SecretUse connector(String connector) {
    return new SecretUse(connector, Optional.empty());
  }

  public static SecretUse tool(String connector, String tool) {
    return new SecretUse(connector, Optional.of(tool));
  }

  /**
   * Whether one of {@code scopes} covers this use: the whole connector, or this very tool on it.
   */
  public boolean allowedBy(java.util.Collection<String> scopes) {
    return scopes.contains(connector)
        || tool.map(t -> scopes.contains(connector + "/" + t)).orElse(false);
  }

  /** Throws when {@code scope} is neither {@code CONNECTOR} nor {@code CONNECTOR/TOOL}. */
  public static String checkScope(String scope) {
    if (!SCOPE.matcher(scope).matches()) {
      throw new IllegalArgumentException(
          "scope '"
              + scope
              + "' must be a connector name (acme) or a connector and one of its tools (acme/orders_refund)");
    }
    return scope;
  }

  @Override
  public String toString() {
    return tool.map(t -> "tool " + connector + "/" + t).orElse("connector " + connector);
  }
}
