package dev.portcullis.connector.mail;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The domains a mail connector may send to. An entry {@code acme.com} allows exactly that domain
 * (any case); {@code *.acme.com} allows every subdomain of it ({@code eu.acme.com}, {@code
 * a.eu.acme.com}) but not {@code acme.com} itself, which needs its own entry.
 *
 * <p>Security: this is the exfiltration guard of the mail connector; it is checked for every
 * recipient before a connection is opened.
 */
public final class RecipientDomains {
  private static final String LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
  static final Pattern DOMAIN = Pattern.compile(LABEL + "(\\." + LABEL + ")+");

  private final Set<String> exact;
  private final Set<String> suffixes;
  private final List<String> entries;

  private RecipientDomains(Set<String> exact, Set<String> suffixes, List<String> entries) {
    this.exact = Set.copyOf(exact);
    this.suffixes = Set.copyOf(suffixes);
    this.entries = List.copyOf(entries);
  }

  /**
   * The allowlist of {@code entries}.
   *
   * @throws IllegalArgumentException naming the first entry that is not a domain or {@code
   *     *.domain}
   */
  public static RecipientDomains of(List<String> entries) {
    Set<String> exact = new LinkedHashSet<>();
    Set<String> suffixes = new LinkedHashSet<>();
    for (String e : entries) {
      String entry = check(e);
      if (entry.startsWith("*.")) {
        suffixes.add(entry.substring(1));
      } else {
        exact.add(entry);
      }
    }
    Set<String> all = new java.util.TreeSet<>(exact);
    suffixes.forEach(s -> all.add("*" + s));
    return new RecipientDomains(exact, suffixes, List.copyOf(all));
  }

  /**
   * {@code entry} in lower case if it is {@code domain.tld} or {@code *.domain.tld}; throws
   * otherwise.
   */
  public static String check(String entry) {
    String lower = entry.toLowerCase(Locale.ROOT);
    String domain = lower.startsWith("*.") ? lower.substring(2) : lower;
    if (!DOMAIN.matcher(domain).matches()) {
      throw new IllegalArgumentException(
          "'"
              + entry
              + "' is not a domain such as acme.com, or *.acme.com for its subdomains (no '@', no scheme, no port)");
    }
    return lower;
  }

  /** Whether mail to {@code domain} is allowed. */
  public boolean allows(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    if (exact.contains(d)) {
      return true;
    }
    for (String s : suffixes) {
      if (d.endsWith(s) && d.length() > s.length()) {
        return true;
      }
    }
    return false;
  }

  /** The entries, lower case, sorted. */
  public List<String> entries() {
    return entries;
  }
}
