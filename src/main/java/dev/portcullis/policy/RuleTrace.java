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
    /** Its condition could not be evaluated: skipped, error recorded. */
    ERROR,
    /** It matched (and is enforced, or log-only as its mode says). */
    MATCHED
  }
}
