package dev.portcullis.service;

import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.StoredInvocation;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Why an approver's request was refused; the message says what to do next. Nothing changed. */
public final class ApprovalRefusal extends Exception {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalRefusal.class);

  private static final long serialVersionUID = 1L;

  /** The kinds of refusal the approval API maps to problems. */
  public enum Kind {
    NOT_FOUND,
    DECIDED,
    EXPIRED,
    FOUR_EYES,
    UNAVAILABLE,
    /** This approver already approved these arguments: another approver must give the next vote. */
    ALREADY_VOTED,
    /** The arguments were edited since the approver read them. */
    ARGUMENTS_CHANGED,
    /** The edited arguments break the tool's schema or the size limits ({@link #violations()}). */
    INVALID_EDIT,
    /** The stored call is not the one the audit log recorded when it was parked or last edited. */
    STORED_CALL_ALTERED
  }

  private final Kind kind;
  private final List<String> violations;

  public ApprovalRefusal(Kind kind, String message) {
    this(kind, message, List.of());
  }

  public ApprovalRefusal(Kind kind, String message, List<String> violations) {
    super(message);
    this.kind = kind;
    this.violations = List.copyOf(violations);
  }

  public Kind kind() {
    return kind;
  }

  /** What is wrong with an invalid edit, one entry per violation; empty otherwise. */
  public List<String> violations() {
    return violations;
  }

  /** The refusal of an unknown id, and of a request the operator may not see. */
  static ApprovalRefusal notFound(String approvalId) {
    return new ApprovalRefusal(Kind.NOT_FOUND, "no approval request " + approvalId);
  }

  /** A store that failed: logged with its cause, refused without it. */
  static ApprovalRefusal unavailable(StoreException e) {
    LOG.error("approval or invocation store unavailable", e);
    return new ApprovalRefusal(
        Kind.UNAVAILABLE, "the approval store cannot be read or written; retry later");
  }

  /** The arguments of stored call {@code s} are not the ones the approver read. */
  static ApprovalRefusal argumentsChanged(String approvalId, StoredInvocation s) {
    return new ApprovalRefusal(
        Kind.ARGUMENTS_CHANGED,
        "the arguments of approval "
            + approvalId
            + " were edited since you read them"
            + (s.edit() == null ? "" : " (last by " + s.edit().editedBy() + ")")
            + "; nothing was recorded: show the request again and decide on its arguments now");
  }
}
