package dev.portcullis.service;

import dev.portcullis.invocation.Outcome;

/** What an approval did. */
public sealed interface ApprovalResult {
  /**
   * The approval ended the request, now in {@code status} (a wire name): approved, the call ran its
   * road; denied, the policy forbids the arguments the approver edited in.
   */
  record Ended(String status, Outcome outcome) implements ApprovalResult {}

  /** The vote is recorded; the request still needs {@code view.remaining()} more approvals. */
  record Voted(ApprovalView view) implements ApprovalResult {}
}
