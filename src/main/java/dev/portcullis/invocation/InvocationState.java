package dev.portcullis.invocation;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of an invocation. Transitions are explicit so that a stored state can be resumed without
 * guessing: {@code RECEIVED → CHECKED → (AWAITING_APPROVAL →) EXECUTING → COMPLETED | FAILED}, and
 * DENIED, EXPIRED, CANCELLED as the other ends.
 *
 * <p>{@code NEEDS_RECONCILIATION} is where a call found EXECUTING after a crash goes: its effect
 * upstream is unknown, so it is never re-executed (recovery's one re-send of a write whose upstream
 * honours idempotency keys is made as it moves the call here); an operator finds out what happened
 * and settles it as COMPLETED, FAILED or CANCELLED, unless that re-send's answer settled it first.
 */
public enum InvocationState {
  RECEIVED,
  CHECKED,
  AWAITING_APPROVAL,
  EXECUTING,
  COMPLETED,
  FAILED,
  DENIED,
  EXPIRED,
  CANCELLED,
  NEEDS_RECONCILIATION;

  private final String wireName = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

  /**
   * The one name of this state on every door (REST, MCP, the CLI, the inbox): lower case with
   * hyphens, {@code awaiting-approval}, {@code needs-reconciliation}.
   */
  public String wireName() {
    return wireName;
  }

  public boolean isTerminal() {
    return switch (this) {
      case COMPLETED, FAILED, DENIED, EXPIRED, CANCELLED -> true;
      default -> false;
    };
  }

  public boolean canMoveTo(InvocationState next) {
    return successors().contains(next);
  }

  private Set<InvocationState> successors() {
    return switch (this) {
      case RECEIVED -> EnumSet.of(CHECKED, DENIED, FAILED, CANCELLED);
      case CHECKED -> EnumSet.of(AWAITING_APPROVAL, EXECUTING, DENIED, FAILED, CANCELLED);
      case AWAITING_APPROVAL -> EnumSet.of(EXECUTING, DENIED, EXPIRED, CANCELLED, FAILED);
      case EXECUTING -> EnumSet.of(COMPLETED, FAILED, NEEDS_RECONCILIATION);
      case NEEDS_RECONCILIATION -> EnumSet.of(COMPLETED, FAILED, CANCELLED);
      case COMPLETED, FAILED, DENIED, EXPIRED, CANCELLED -> EnumSet.noneOf(InvocationState.class);
    };
  }
}
