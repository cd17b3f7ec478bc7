package dev.portcullis.invocation;

import java.util.List;
import java.util.Objects;

/**
 * One reason of an audit record as a value: what happened ({@code approval:ID}, {@code
 * voted-by:ID}, {@code edited-to:DIGEST}, …) or why (a policy rule id, kept as {@link Other}).
 *
 * <p>Wire form: {@link #wire()} is the string the record holds and the audit chain hashes, and it
 * is the form records have always had, so old and new records read alike and hash the same. {@link
 * #parse} is its one reader: code asks a record's {@link AuditEntry#events()} for a type (an {@link
 * EditedTo}) and never looks at the text. {@code parse(s).wire()} is {@code s} for every string:
 * text that is not exactly a typed value's wire form (an unknown prefix, {@code votes:01/2}) is an
 * {@link Other}.
 */
public sealed interface AuditReason {

  /** The text the audit record holds. */
  String wire();

  /** The approval request an event is about. */
  record Approval(String approvalId) implements AuditReason {
    public Approval {
      Objects.requireNonNull(approvalId, "approvalId");
    }

    @Override
    public String wire() {
      return "approval:" + approvalId;
    }
  }

  /** An approver's vote that did not complete the quorum. */
  record VotedBy(String approver) implements AuditReason {
    public VotedBy {
      Objects.requireNonNull(approver, "approver");
    }

    @Override
    public String wire() {
      return "voted-by:" + approver;
    }
  }

  /** One of the approvers whose votes made the quorum. */
  record ApprovedBy(String approver) implements AuditReason {
    public ApprovedBy {
      Objects.requireNonNull(approver, "approver");
    }

    @Override
    public String wire() {
      return "approved-by:" + approver;
    }
  }

  /** How far a request is: {@code given} of the {@code required} approvals. */
  record Votes(int given, int required) implements AuditReason {
    @Override
    public String wire() {
      return "votes:" + given + "/" + required;
    }
  }

  /** The approver who edited a parked call's arguments. */
  record EditedBy(String approver) implements AuditReason {
    public EditedBy {
      Objects.requireNonNull(approver, "approver");
    }

    @Override
    public String wire() {
      return "edited-by:" + approver;
    }
  }

  /** The digest of the arguments an edit replaced. */
  record EditedFrom(String digest) implements AuditReason {
    public EditedFrom {
      Objects.requireNonNull(digest, "digest");
    }

    @Override
    public String wire() {
      return "edited-from:" + digest;
    }
  }

  /** The digest of the arguments an edit put in: the record vouches for them. */
  record EditedTo(String digest) implements AuditReason {
    public EditedTo {
      Objects.requireNonNull(digest, "digest");
    }

    @Override
    public String wire() {
      return "edited-to:" + digest;
    }
  }

  /** The approver who denied a request. */
  record DeniedBy(String approver) implements AuditReason {
    public DeniedBy {
      Objects.requireNonNull(approver, "approver");
    }

    @Override
    public String wire() {
      return "denied-by:" + approver;
    }
  }

  /**
   * Who cancelled a parked call before it was decided: {@code agent:ID}, the agent that made it.
   */
  record CancelledBy(String actor) implements AuditReason {
    public CancelledBy {
      Objects.requireNonNull(actor, "actor");
    }

    @Override
    public String wire() {
      return "cancelled-by:" + actor;
    }
  }

  /** The digest of a stored call's arguments as found, when they are not the ones recorded. */
  record StoredDigest(String digest) implements AuditReason {
    public StoredDigest {
      Objects.requireNonNull(digest, "digest");
    }

    @Override
    public String wire() {
      return "stored-digest:" + digest;
    }
  }

  /** A retry that repeated an idempotency key and got the first call's outcome again. */
  record Replay(String firstInvocationId) implements AuditReason {
    public Replay {
      Objects.requireNonNull(firstInvocationId, "firstInvocationId");
    }

    @Override
    public String wire() {
      return "idempotent-replay:" + firstInvocationId;
    }
  }

  /** The operator who settled a call left needing reconciliation. */
  record SettledBy(String operator) implements AuditReason {
    public SettledBy {
      Objects.requireNonNull(operator, "operator");
    }

    @Override
    public String wire() {
      return "settled-by:" + operator;
    }
  }

  /** The operator who asked to revert a completed call. */
  record RevertBy(String operator) implements AuditReason {
    public RevertBy {
      Objects.requireNonNull(operator, "operator");
    }

    @Override
    public String wire() {
      return "revert-by:" + operator;
    }
  }

  /** The compensating call that reverted a completed one. */
  record RevertedWith(String invocationId) implements AuditReason {
    public RevertedWith {
      Objects.requireNonNull(invocationId, "invocationId");
    }

    @Override
    public String wire() {
      return "reverted-with:" + invocationId;
    }
  }

  /** How a notice to approvers ended: sent, or failed for good. */
  record Notification(boolean sent) implements AuditReason {
    @Override
    public String wire() {
      return "notification:" + (sent ? "sent" : "failed");
    }
  }

  /** The notification channel a notice went to, by its configured name. */
  record Channel(String name) implements AuditReason {
    public Channel {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String wire() {
      return "channel:" + name;
    }
  }

  /** The kind of that channel: webhook, slack or email. */
  record ChannelType(String type) implements AuditReason {
    public ChannelType {
      Objects.requireNonNull(type, "type");
    }

    @Override
    public String wire() {
      return "channel-type:" + type;
    }
  }

  /** How many times a notice was tried. */
  record Attempts(int count) implements AuditReason {
    @Override
    public String wire() {
      return "attempts:" + count;
    }
  }

  /**
   * Any other reason (a policy rule id, an error, an event with no type of its own), as written.
   */
  record Other(String text) implements AuditReason {
    public Other {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String wire() {
      return text;
    }
  }

  /** The wire forms of {@code reasons}, in order. */
  static List<String> wire(List<? extends AuditReason> reasons) {
    return reasons.stream().map(AuditReason::wire).toList();
  }

  /** The value whose wire form is {@code text}; {@link Other} when no typed one has it. */
  static AuditReason parse(String text) {
    Objects.requireNonNull(text, "text");
    int colon = text.indexOf(':');
    if (colon < 0) {
      return new Other(text);
    }
    String value = text.substring(colon + 1);
    AuditReason typed =
        switch (text.substring(0, colon)) {
          case "approval" -> new Approval(value);
          case "voted-by" -> new VotedBy(value);
          case "approved-by" -> new ApprovedBy(value);
          case "votes" -> votes(value);
          case "edited-by" -> new EditedBy(value);
          case "edited-from" -> new EditedFrom(value);
          case "edited-to" -> new EditedTo(value);
          case "denied-by" -> new DeniedBy(value);
          case "cancelled-by" -> new CancelledBy(value);
          case "stored-digest" -> new StoredDigest(value);
          case "idempotent-replay" -> new Replay(value);
          case "settled-by" -> new SettledBy(value);
          case "revert-by" -> new RevertBy(value);
          case "reverted-with" -> new RevertedWith(value);
          case "notification" ->
              switch (value) {
                case "sent" -> new Notification(true);
                case "failed" -> new Notification(false);
                default -> null;
              };
          case "channel" -> new Channel(value);
          case "channel-type" -> new ChannelType(value);
          case "attempts" -> attempts(value);
          default -> null;
        };
    return typed != null && typed.wire().equals(text) ? typed : new Other(text);
  }

  private static AuditReason attempts(String value) {
    try {
      return new Attempts(Integer.parseInt(value));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static AuditReason votes(String value) {
    int slash = value.indexOf('/');
    if (slash < 0) {
      return null;
    }
    try {
      return new Votes(
          Integer.parseInt(value.substring(0, slash)),
          Integer.parseInt(value.substring(slash + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
