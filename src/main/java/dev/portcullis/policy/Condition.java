package dev.portcullis.policy;

import java.util.Map;

/** A compiled condition over the facts of one call. */
public interface Condition {
  /**
   * Evaluates the condition.
   *
   * @throws ConditionException when the expression cannot be evaluated on these facts (a missing
   *     argument, a type mismatch, an exhausted budget): a guard then counts as matched, a permit
   *     as not matched, and the error is recorded
   */
  boolean test(Map<String, Object> facts) throws ConditionException;

  /** The expression as written, for explanations. */
  String source();

  /**
   * The arguments ({@code args.x}, {@code args['x']}) the expression reads without ever testing
   * that they are there ({@code has(args.x)}, {@code 'x' in args}): on a call that leaves one out,
   * the condition cannot be evaluated.
   */
  java.util.Set<String> unguardedArguments();

  /** Raised by a condition that cannot be evaluated. */
  final class ConditionException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConditionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
