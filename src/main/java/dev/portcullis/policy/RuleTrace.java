package dev.portcullis.policy;

/** How one rule fared on one call, for {@code policy explain}. */
public record RuleTrace(Rule rule, Status status, String detail) {
  /** The ways a rule can fare. */
  public enum Status {
    /** Its tools, risk or connector target does not cover the tool. */
    NOT_ABOUT_THIS_TOOL,
    /** Its tenant, agent or user target does not match the caller. */
    PRINCIPAL_DIFFERS,
    /** Its condition is false for this call. */
    CONDITION_FALSE,
    /**
     * A permit whose condition could not be evaluated: not counted (it never allows), error
     * recorded.
     */
    ERROR,
    /**
     * A forbid or require_approval whose condition could not be evaluated: counted as matched (an
     * error never loosens a decision), error recorded.
     */
    ERROR_COUNTED_AS_MATCHED,
    /** It matched (and is enforced, or log-only as its mode says). */
    MATCHED
  }
}
