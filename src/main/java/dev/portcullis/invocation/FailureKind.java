package dev.portcullis.invocation;

/** Why an allowed call did not complete. */
public enum FailureKind {
  /** The upstream answered with a client error (4xx): the request was refused there. */
  UPSTREAM_REJECTED,
  /** The upstream answered with a server error (5xx) or an unreadable body. */
  UPSTREAM_ERROR,
  /** The upstream did not answer within the tool's timeout. */
  UPSTREAM_TIMEOUT,
  /** The upstream could not be reached at all. */
  UPSTREAM_UNREACHABLE,
  /** The credential for the connector could not be resolved. */
  CREDENTIAL_UNAVAILABLE,
  /** The audit log could not be written, so the call fails closed. */
  AUDIT_UNAVAILABLE,
  /** The invocation store could not record the call's state, so the call fails closed. */
  STORE_UNAVAILABLE,
  /**
   * The write declares a read of the state it will change, and that read failed (or could not be
   * kept), so the write was not run: fail closed.
   */
  BEFORE_STATE_UNAVAILABLE,
  /**
   * The gateway stopped while the call was executing, and an operator, having checked the system
   * behind the tool, settled it as failed (see {@link Ending#INTERRUPTED}).
   */
  INTERRUPTED,
  /** A bug: a stage broke the chain's rules or threw. */
  INTERNAL
}
