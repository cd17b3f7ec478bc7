package dev.portcullis.identity;

import java.util.Objects;

/**
 * A credential that does not prove an identity this gateway accepts. The message says what is wrong
 * in terms the caller can act on and never repeats the credential.
 */
public final class IdentityException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong, which decides the answer (401 or 403). */
  public enum Kind {
    /** No agent credential at all. */
    MISSING,
    /** The agent's key or token is unknown, malformed, expired, forged or from a foreign issuer. */
    INVALID_AGENT_CREDENTIAL,
    /** The delegating user's token is malformed, expired, forged or from a foreign issuer. */
    INVALID_USER_TOKEN,
    /** A valid token that names no configured agent. */
    AGENT_NOT_REGISTERED,
    /** A valid user token for another tenant than the agent's. */
    TENANT_MISMATCH,
    /** A delegating user's token (an audience of agents' calls) presented as an operator's. */
    DELEGATION_TOKEN
  }

  private final Kind kind;

  public IdentityException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = Objects.requireNonNull(kind);
  }

  public Kind kind() {
    return kind;
  }
}
