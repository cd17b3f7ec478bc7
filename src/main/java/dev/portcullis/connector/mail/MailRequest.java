package dev.portcullis.connector.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The connector's policy for one message an agent asked for, checked whole before anything is sent:
 * every recipient an address the transport can send ({@link MailAddresses#refusal}: bare, no
 * routing, no line break) in an allowed domain, a subject that can be a header, at most {@code
 * maxRecipients}. All or nothing: one bad recipient refuses the message.
 */
final class MailRequest {
  static final int MAX_SUBJECT = 998;
  static final int MAX_BODY = 1024 * 1024;

  private MailRequest() {}

  /** The message in {@code args}, or why it is refused. */
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
    Optional<String> header = SmtpTransport.Mail.subjectRefusal(subject.asString());
    if (header.isPresent()) {
      return new Checked(null, header.get());
    }
    if (subject.asString().length() > MAX_SUBJECT || body.asString().length() > MAX_BODY) {
      return new Checked(
          null,
          "the subject is limited to " + MAX_SUBJECT + " characters and the body to " + MAX_BODY);
    }
    SmtpTransport.Mail mail = new SmtpTransport.Mail(to, cc, subject.asString(), body.asString());
    List<String> all = mail.recipients();
    if (all.size() > maxRecipients) {
      return new Checked(
          null, all.size() + " recipients, more than the " + maxRecipients + " allowed");
    }
    for (String a : all) {
      if (!domains.allows(MailAddresses.domainOf(a).orElseThrow())) {
        return new Checked(null, "recipient " + quoted(a) + " is outside the allowed domains");
      }
    }
    return new Checked(mail, null);
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
      Optional<String> why = MailAddresses.refusal(a);
      if (why.isPresent()) {
        return Optional.of("address " + quoted(a) + " in " + field + " " + why.get());
      }
      out.add(a);
    }
    return Optional.empty();
  }

  /**
   * An agent-chosen value as it may appear in an error: quoted, one line, at most 80 characters.
   */
  static String quoted(String value) {
    return MailAddresses.quoted(value);
  }

  /** A checked message, or the reason it was refused. */
  record Checked(SmtpTransport.Mail mail, String refusal) {}
}
