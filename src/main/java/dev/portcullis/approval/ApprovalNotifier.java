package dev.portcullis.approval;

import dev.portcullis.invocation.Invocation;

/**
 * Tells approvers that a call was parked for them. Called once the request is recorded and the
 * parked call is in the audit log.
 *
 * <p>Failure: an implementation returns at once and never throws: delivery happens off the agent's
 * path, and a channel that fails never blocks or fails the parked call.
 */
@FunctionalInterface
public interface ApprovalNotifier {
  void parked(Invocation invocation, ApprovalRequest request);
}
