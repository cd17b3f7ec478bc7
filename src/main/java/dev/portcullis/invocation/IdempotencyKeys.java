package dev.portcullis.invocation;

/**
 * Idempotency keys: what an agent may send (1 to 255 visible ASCII characters), and the keys the
 * gateway issues itself under prefixes no agent may send ({@code revert:ID} names the one
 * compensation of call {@code ID}, whichever operator asks for it), so no agent can claim one
 * first.
 */
public final class IdempotencyKeys {
  /** The prefix of the key of an operator's revert. */
  public static final String REVERT_PREFIX = "revert:";

  /** What the doors say when an agent's key is not one it may send. */
  public static final String RULE =
      "1 to 255 visible ASCII characters, not starting '" + REVERT_PREFIX + "'";

  private static final java.util.regex.Pattern AGENT_KEY =
      java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,255}");

  private IdempotencyKeys() {}

  /** The key of the revert of call {@code invocationId}. */
  public static String revertOf(String invocationId) {
    return REVERT_PREFIX + invocationId;
  }

  /** Whether an agent may send {@code key} ({@link #RULE}). */
  public static boolean agentMaySend(String key) {
    return AGENT_KEY.matcher(key).matches() && !isRevert(key);
  }

  /** Whether {@code key} is one the gateway issued for a revert. */
  public static boolean isRevert(String key) {
    return key != null && key.startsWith(REVERT_PREFIX);
  }
}
