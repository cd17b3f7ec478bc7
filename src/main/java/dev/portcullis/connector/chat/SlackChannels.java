package dev.portcullis.connector.chat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Slack channels a connector may post to: channel ids ({@code C0123ABCD}; {@code G…} private,
 * {@code D…} direct) and channel names ({@code #support}). A channel argument is allowed only when
 * it is one of them exactly; names compare without regard to case, as Slack's names are lower case.
 *
 * <p>Security: this is the exfiltration guard of the chat connector. It is checked before the
 * credential is resolved, so a refused channel costs no secret and sends nothing.
 */
public final class SlackChannels {
  static final Pattern ID = Pattern.compile("[CGD][A-Z0-9]{8,12}");
  static final Pattern NAME = Pattern.compile("#[a-z0-9][a-z0-9._-]{0,79}");

  private final Set<String> entries;

  private SlackChannels(Set<String> entries) {
    this.entries = Set.copyOf(entries);
  }

  /**
   * The allowlist of {@code entries}.
   *
   * @throws IllegalArgumentException naming the first entry that is neither an id nor a #name
   */
  public static SlackChannels of(List<String> entries) {
    Set<String> out = new LinkedHashSet<>();
    for (String e : entries) {
      out.add(check(e));
    }
    return new SlackChannels(out);
  }

  /** {@code entry} if it is a channel id or a lower-case #name; throws otherwise. */
  public static String check(String entry) {
    if (!ID.matcher(entry).matches() && !NAME.matcher(entry).matches()) {
      throw new IllegalArgumentException(
          "'"
              + entry
              + "' is neither a Slack channel id (C0123ABCD) nor a lower-case channel name (#support)");
    }
    return entry;
  }

  /** The allowlisted form of {@code channel} (the one to send), or empty when it is not allowed. */
  public Optional<String> match(String channel) {
    String key = channel.startsWith("#") ? channel.toLowerCase(Locale.ROOT) : channel;
    return entries.contains(key) ? Optional.of(key) : Optional.empty();
  }

  public boolean allows(String channel) {
    return match(channel).isPresent();
  }

  /** The entries, sorted. */
  public List<String> entries() {
    return entries.stream().sorted().toList();
  }
}
