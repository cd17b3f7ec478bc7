package dev.portcullis.approval;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What approvers are told when a call is parked: who asked for which tool, why the policy held it
 * back, until when it waits, and where to decide it.
 *
 * <p>Security: the arguments appear only as their SHA-256 digest ({@code argumentsDigest}, the one
 * in the audit record), never as values: they may hold personal data, and a notification leaves the
 * gateway for chat rooms and mailboxes. The approver sees the values behind the link, after signing
 * in. {@code user} is null when the call was made for no one.
 */
public record ApprovalNotice(
    String approvalId,
    String invocationId,
    String tenant,
    String agent,
    String user,
    String tool,
    List<String> reasons,
    String reason,
    Instant createdAt,
    Instant deadline,
    String argumentsDigest,
    URI publicUrl) {

  public ApprovalNotice {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(invocationId, "invocationId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(tool, "tool");
    reasons = List.copyOf(reasons);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(argumentsDigest, "argumentsDigest");
    Objects.requireNonNull(publicUrl, "publicUrl");
  }

  /** Where a person decides it in a browser: {@code <publicUrl>/inbox/approvals/<id>}. */
  public String inboxUrl() {
    return base() + "/inbox/approvals/" + approvalId;
  }

  /** The approval API's resource: {@code <publicUrl>/v1/approvals/<id>}. */
  public String apiUrl() {
    return base() + "/v1/approvals/" + approvalId;
  }

  /** The command line that shows it. */
  public String cliCommand() {
    return "portcullis approvals show " + approvalId;
  }

  /** "Approval needed: TOOL for AGENT". */
  public String subject() {
    return "Approval needed: " + tool + " for " + agent;
  }

  private String base() {
    String s = publicUrl.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
