package dev.portcullis.policy;

import java.util.Map;

/** A compiled condition over the facts of one call. */
public interface Condition {
  /**
   * Evaluates the condition.
   *
   * @throws ConditionException when the expression cannot be evaluated on these facts (a missing
   *     argument, a type mismatch): the rule is then skipped and the error recorded
   */
  boolean test(Map<String, Object> facts) throws ConditionException;

  /** The expression as written, for explanations. */
  String source();

  /** Raised by a condition that cannot be evaluated. */
  final class ConditionException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConditionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
