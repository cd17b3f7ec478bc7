package dev.portcullis.policy;

/** Whether a rule is enforced, or only evaluated and recorded beside the enforced decision. */
public enum RuleMode {
  ENFORCE,
  LOG_ONLY
}
