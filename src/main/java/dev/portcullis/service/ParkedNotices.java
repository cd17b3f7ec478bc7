package dev.portcullis.service;

import dev.portcullis.approval.ApprovalNotifier;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.pipeline.LedgerStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a parked call's approval request to the notifier once the audit stage has recorded the
 * parked call: the chain then reads request, then notifications, and no approver is told of a call
 * the audit log does not hold yet. Never throws: a request that cannot be read is logged, and the
 * approval can still be found by the API, the CLI and the inbox.
 */
public final class ParkedNotices implements LedgerStage.Parked {
  private static final Logger LOG = LoggerFactory.getLogger(ParkedNotices.class);

  private final ApprovalStore approvals;
  private final ApprovalNotifier notifier;

  public ParkedNotices(ApprovalStore approvals, ApprovalNotifier notifier) {
    this.approvals = approvals;
    this.notifier = notifier;
  }

  @Override
  public void recorded(Invocation invocation, String approvalId) {
    try {
      approvals
          .find(approvalId)
          .ifPresentOrElse(
              r -> notifier.parked(invocation, r),
              () ->
                  LOG.error(
                      "approval {} of invocation {} is not stored; no one was notified",
                      approvalId,
                      invocation.invocationId()));
    } catch (StoreException e) {
      LOG.error(
          "cannot read approval {} to notify approvers; it can still be found in the inbox",
          approvalId,
          e);
    }
  }
}
