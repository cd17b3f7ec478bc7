package dev.portcullis.policy;

/** What a rule says about the calls it matches. */
public enum RuleEffect {
  PERMIT,
  FORBID,
  REQUIRE_APPROVAL
}
