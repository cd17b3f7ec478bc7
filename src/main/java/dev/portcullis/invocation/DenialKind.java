package dev.portcullis.invocation;

/** Why a call was refused before anything executed. */
public enum DenialKind {
  /** No catalog entry has that name: blocked by default. */
  UNKNOWN_TOOL,
  /** The arguments break the tool's schema or the size limits. */
  INVALID_ARGUMENTS,
  /** No policy rule allows this agent to make this call. */
  POLICY,
  /** An upstream tool no operator has approved yet. */
  TOOL_NOT_APPROVED,
  /**
   * An approved upstream tool whose descriptor changed since (a rug pull), held until re-approved.
   */
  TOOL_QUARANTINED,
  /** An upstream tool whose upstream has not been listed since start, so not yet checked; retry. */
  UPSTREAM_UNVERIFIED,
  /** The tool's descriptor changed while the call was under way; nothing ran. */
  DESCRIPTOR_CHANGED,
  /**
   * The agent's idempotency key already names another request (another tool or other arguments).
   */
  IDEMPOTENCY_KEY_REUSED,
  /** The agent's idempotency key names a call that has not ended yet. */
  IDEMPOTENCY_KEY_IN_FLIGHT,
  /** A person refused the parked call (the reasons name the approval and who denied it). */
  APPROVAL_DENIED,
  /** No approver decided the parked call before its deadline; it never ran. */
  APPROVAL_EXPIRED,
  /**
   * The call was cancelled: by the agent that made it while it awaited approval (it never ran), or
   * by an operator settling it; whatever it had done is in its record.
   */
  CANCELLED
}
