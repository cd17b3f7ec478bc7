package dev.portcullis.service.notify;

import dev.portcullis.approval.ApprovalNotice;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one wording of a notice, for mail (plain text), Slack (short, with a link) and webhooks
 * (JSON).
 */
final class NoticeText {
  /** The webhook payload's {@code type}. */
  static final String EVENT = "approval.requested";

  private NoticeText() {}

  /** The mail body: every fact, one per line, then where to decide. */
  static String plain(ApprovalNotice n) {
    StringBuilder b = new StringBuilder();
    b.append("A call is waiting for your approval.\n\n");
    line(b, "Tool", n.tool());
    line(b, "Agent", n.agent());
    line(b, "User", n.user() == null ? "none" : n.user());
    line(b, "Tenant", n.tenant() == null ? "none" : n.tenant());
    line(b, "Policy", n.reasons().isEmpty() ? "none" : String.join(", ", n.reasons()));
    if (n.reason() != null && !n.reason().isBlank()) {
      line(b, "Why", n.reason());
    }
    line(b, "Deadline", n.deadline().toString());
    line(b, "Approval", n.approvalId());
    line(b, "Arguments", "sha256:" + n.argumentsDigest());
    b.append(
        "\nThe argument values are not sent in notifications; open the request to see them.\n\n");
    line(b, "Inbox", n.inboxUrl());
    line(b, "API", n.apiUrl());
    line(b, "Command", n.cliCommand());
    return b.toString();
  }

  /** A short Slack message (mrkdwn) with a link to the inbox. */
  static String slack(ApprovalNotice n) {
    StringBuilder b = new StringBuilder();
    b.append(":lock: *").append(escape(n.subject())).append("*");
    if (n.user() != null) {
      b.append(" (user ").append(escape(n.user())).append(")");
    }
    if (n.tenant() != null) {
      b.append(", tenant ").append(escape(n.tenant()));
    }
    b.append("\nPolicy: ")
        .append(escape(n.reasons().isEmpty() ? "none" : String.join(", ", n.reasons())));
    b.append(". Decide before ").append(n.deadline()).append(".");
    b.append("\n<")
        .append(n.inboxUrl())
        .append("|Review approval ")
        .append(n.approvalId())
        .append(">");
    b.append(" · API ").append(n.apiUrl());
    b.append(" · `").append(n.cliCommand()).append("`");
    b.append("\nArguments digest sha256:")
        .append(n.argumentsDigest())
        .append(" (values only behind the link)");
    return b.toString();
  }

  /** The webhook payload. */
  static ObjectNode json(ApprovalNotice n, JsonMapper json) {
    ObjectNode o = json.createObjectNode();
    o.put("type", EVENT);
    o.put("approvalId", n.approvalId());
    o.put("invocationId", n.invocationId());
    o.put("tenant", n.tenant());
    o.put("agent", n.agent());
    o.put("user", n.user());
    o.put("tool", n.tool());
    var reasons = o.putArray("reasons");
    n.reasons().forEach(reasons::add);
    o.put("reason", n.reason());
    o.put("createdAt", n.createdAt().toString());
    o.put("deadline", n.deadline().toString());
    o.put("argumentsDigest", "sha256:" + n.argumentsDigest());
    ObjectNode links = o.putObject("links");
    links.put("inbox", n.inboxUrl());
    links.put("api", n.apiUrl());
    o.put("cli", n.cliCommand());
    return o;
  }

  private static void line(StringBuilder b, String label, String value) {
    b.append(label)
        .append(':')
        .append(" ".repeat(Math.max(1, 11 - label.length())))
        .append(oneLine(value))
        .append('\n');
  }

  /** Control characters (a line break in a user id, say) cannot forge lines of the message. */
  static String oneLine(String value) {
    return value.replaceAll("\\p{Cntrl}", "?");
  }

  /** Slack's three characters with meaning in text. */
  static String escape(String value) {
    return oneLine(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
