package dev.portcullis.connector.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One message an agent asked for, checked whole before anything is sent: every recipient a bare
 * address in an allowed domain, no CR or LF where a header is written (subject, addresses), at most
 * {@code maxRecipients}. All or nothing: one bad recipient refuses the message.
 */
record MailRequest(List<String> to, List<String> cc, String subject, String body) {
  static final int MAX_SUBJECT = 998;
  static final int MAX_BODY = 1024 * 1024;

  MailRequest {
    to = List.copyOf(to);
    cc = List.copyOf(cc);
  }

  /** Every recipient, to then cc. */
  List<String> recipients() {
    List<String> all = new ArrayList<>(to);
    all.addAll(cc);
    return all;
  }

  /** The request in {@code args}, or why it is refused. */
  static Checked check(JsonNode args, RecipientDomains domains, int maxRecipients) {
    List<String> to = new ArrayList<>();
    List<String> cc = new ArrayList<>();
    Optional<String> why =
        addresses(args.path("to"), "to", true, to)
            .or(() -> addresses(args.path("cc"), "cc", false, cc));
    if (why.isPresent()) {
      return new Checked(null, why.get());
    }
    JsonNode subject = args.path("subject");
    JsonNode body = args.path("body");
    if (!subject.isString() || !body.isString()) {
      return new Checked(null, "subject and body must be strings");
    }
    if (subject.asString().chars().anyMatch(Character::isISOControl)) {
      return new Checked(
          null,
          "the subject contains a line break or another control character (header injection)");
    }
    if (subject.asString().length() > MAX_SUBJECT || body.asString().length() > MAX_BODY) {
      return new Checked(
          null,
          "the subject is limited to " + MAX_SUBJECT + " characters and the body to " + MAX_BODY);
    }
    MailRequest request = new MailRequest(to, cc, subject.asString(), body.asString());
    List<String> all = request.recipients();
    if (all.size() > maxRecipients) {
      return new Checked(
          null, all.size() + " recipients, more than the " + maxRecipients + " allowed");
    }
    for (String a : all) {
      if (!domains.allows(MailAddresses.domainOf(a).orElseThrow())) {
        return new Checked(null, "recipient " + quoted(a) + " is outside the allowed domains");
      }
    }
    return new Checked(request, null);
  }

  private static Optional<String> addresses(
      JsonNode node, String field, boolean required, List<String> out) {
    if (node.isMissingNode() || node.isNull()) {
      return required ? Optional.of(field + " is required") : Optional.empty();
    }
    if (!node.isArray() || (required && node.isEmpty())) {
      return Optional.of(
          field + " must be a list of addresses" + (required ? ", at least one" : ""));
    }
    for (JsonNode item : node) {
      if (!item.isString()) {
        return Optional.of(field + " must be a list of address strings");
      }
      String a = item.asString();
      if (a.indexOf('\r') >= 0 || a.indexOf('\n') >= 0) {
        return Optional.of(
            "address " + quoted(a) + " in " + field + " contains a line break (header injection)");
      }
      if (MailAddresses.routesOnward(a)) {
        return Optional.of(
            "address "
                + quoted(a)
                + " in "
                + field
                + " has '%' or '!' in its local part, which relays route to another domain");
      }
      if (MailAddresses.domainOf(a).isEmpty()) {
        return Optional.of(
            "address "
                + quoted(a)
                + " in "
                + field
                + " is not a bare address such as ann@acme.com");
      }
      out.add(a);
    }
    return Optional.empty();
  }

  /**
   * An agent-chosen value as it may appear in an error: quoted, one line, at most 80 characters.
   */
  static String quoted(String value) {
    String line = value.replaceAll("\\p{Cntrl}", "?");
    return "'" + (line.length() > 80 ? line.substring(0, 80) + "…" : line) + "'";
  }

  /** A checked request, or the reason it was refused. */
  record Checked(MailRequest request, String refusal) {}
}
