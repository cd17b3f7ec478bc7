package dev.portcullis.connector.mail;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads e-mail addresses strictly. A recipient is a bare {@code local@domain.tld} (RFC 5322
 * dot-atom, ASCII): no display name, no comments, no quoted local part, no group, no IP literal, so
 * what the allowlist checks is exactly what the SMTP server is given.
 *
 * <p>Security: {@code %} and {@code !} are legal atom characters but not in a local part here:
 * relays still honour the percent hack ({@code evil%gmail.com@acme.com}) and bang paths ({@code
 * gmail.com!evil@acme.com}), forwarding to a domain the allowlist never saw. Source routes ({@code
 * @a,@b:user@c}) and quoted local parts can carry the same, so they are refused too.
 */
public final class MailAddresses {
  private static final String ATOM = "[A-Za-z0-9#$&'*+/=?^_`{|}~-]+";
  private static final Pattern ROUTING = Pattern.compile("[%!]");
  private static final Pattern ADDRESS =
      Pattern.compile(
          "("
              + ATOM
              + "(\\."
              + ATOM
              + ")*)@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)");

  private MailAddresses() {}

  /** The domain of {@code address} if it is a bare address; empty when it is malformed. */
  public static Optional<String> domainOf(String address) {
    var m = ADDRESS.matcher(address);
    if (address.length() > 254 || !m.matches() || m.group(1).length() > 64) {
      return Optional.empty();
    }
    return Optional.of(m.group(3));
  }

  /**
   * Why {@code address} cannot be handed to an SMTP server as a recipient, or empty when it is a
   * bare address that names its final domain: a line break (header injection), {@code %} or {@code
   * !} in the local part (routing), or anything but a bare address. Worded to follow "address 'x'
   * ".
   */
  public static Optional<String> refusal(String address) {
    if (address.indexOf('\r') >= 0 || address.indexOf('\n') >= 0) {
      return Optional.of("contains a line break (header injection)");
    }
    if (routesOnward(address)) {
      return Optional.of("has '%' or '!' in its local part, which relays route to another domain");
    }
    if (domainOf(address).isEmpty()) {
      return Optional.of("is not a bare address such as ann@acme.com");
    }
    return Optional.empty();
  }

  /** A value as it may appear in an error: quoted, one line, at most 80 characters. */
  public static String quoted(String value) {
    String line = value.replaceAll("\\p{Cntrl}", "?");
    return "'" + (line.length() > 80 ? line.substring(0, 80) + "…" : line) + "'";
  }

  /**
   * Whether the local part of {@code address} asks a relay to route it onward ({@code %} or {@code
   * !}).
   */
  public static boolean routesOnward(String address) {
    int at = address.lastIndexOf('@');
    return ROUTING.matcher(at < 0 ? address : address.substring(0, at)).find();
  }

  /**
   * The configured sender: a bare address, or one with a display name ({@code Support
   * <bot@acme.com>}).
   *
   * @throws IllegalArgumentException when it is not one valid address
   */
  public static InternetAddress sender(String text) {
    if (text.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("'from' must not contain control characters");
    }
    try {
      InternetAddress a = new InternetAddress(text, true);
      if (a.isGroup() || domainOf(a.getAddress()).isEmpty()) {
        throw new IllegalArgumentException(
            "'" + text + "' is not one address such as bot@acme.com");
      }
      return a;
    } catch (AddressException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not one address such as bot@acme.com", e);
    }
  }
}
