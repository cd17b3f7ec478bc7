package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.audit.AuditChain;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.pipeline.AuditEntries;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses to approve a stored call whose agent, tenant, user, tool or arguments are not the ones
 * the audit log recorded for it when it was parked or last edited: someone with access to the
 * database changed them outside the gateway.
 *
 * <p>Security: the vouching audit record's own hash must hold, and its arguments digest must be the
 * digest of the stored arguments (recomputed, not read from the row). The refusal is itself
 * recorded.
 */
public final class StoredCallCheck {
  private static final Logger LOG = LoggerFactory.getLogger(StoredCallCheck.class);

  private final AuditLog log;
  private final AuditEntries entries;
  private final ApprovalSettlement settlement;
  private final JsonMapper json;

  public StoredCallCheck(
      AuditLog log, AuditEntries entries, ApprovalSettlement settlement, JsonMapper json) {
    this.log = log;
    this.entries = entries;
    this.settlement = settlement;
    this.json = json;
  }

  /**
   * Passes when stored call {@code s} of request {@code r} is the one its audit records vouch for.
   */
  void matchesAudit(ApprovalRequest r, StoredInvocation s) throws ApprovalRefusal {
    String stored = AuditEntries.digest(json, s.current().arguments());
    AuditRecord vouching;
    try {
      vouching = vouching(log.records(s.invocationId()));
    } catch (AuditLog.AuditUnavailableException e) {
      LOG.error("audit log unavailable while checking approval {}", r.approvalId(), e);
      throw new ApprovalRefusal(
          ApprovalRefusal.Kind.UNAVAILABLE,
          "the audit log cannot be read; retry later or ask an operator");
    }
    if (vouching == null) {
      throw new ApprovalRefusal(
          ApprovalRefusal.Kind.UNAVAILABLE,
          "invocation "
              + s.invocationId()
              + " is still being parked (its"
              + " audit record is not written yet); retry in a moment");
    }
    boolean intact =
        AuditChain.hash(vouching.seq(), vouching.entry(), vouching.prevHash())
            .equals(vouching.hash());
    Invocation call = s.current();
    boolean sameCall =
        Objects.equals(call.agent().id(), vouching.entry().agentId())
            && Objects.equals(call.tenant(), vouching.entry().tenant())
            && Objects.equals(
                call.user() == null ? null : call.user().id(), vouching.entry().userId())
            && Objects.equals(call.toolName(), vouching.entry().toolName());
    if (intact
        && sameCall
        && stored.equals(vouching.entry().argumentsDigest())
        && stored.equals(s.currentDigest())) {
      return;
    }
    String detail =
        "the stored call "
            + s.invocationId()
            + " (its agent, user, tool or arguments) is not the one"
            + " the audit log recorded when it was parked"
            + (intact ? "" : " (that record is altered)")
            + "; nothing ran. Ask an operator to check the data directory ('portcullis audit verify')";
    LOG.error("approval {}: {}", r.approvalId(), detail);
    settlement.note(
        entries.event(
            s.current(),
            InvocationState.AWAITING_APPROVAL,
            List.of(new AuditReason.Approval(r.approvalId()), new AuditReason.StoredDigest(stored)),
            "stored_call_altered",
            detail));
    throw new ApprovalRefusal(ApprovalRefusal.Kind.STORED_CALL_ALTERED, detail);
  }

  /**
   * The record that vouches for a parked call's arguments: its last edit by an approver, else the
   * record of its parking (its first AWAITING_APPROVAL record). Other events (votes, notifications,
   * refusals) carry whatever arguments the call held then and vouch for nothing.
   */
  private static AuditRecord vouching(List<AuditRecord> records) {
    AuditRecord parked = null;
    AuditRecord lastEdit = null;
    for (AuditRecord a : records) {
      if (!InvocationState.AWAITING_APPROVAL.name().equals(a.entry().state())) {
        continue;
      }
      if (parked == null) {
        parked = a;
      } else if (a.entry().errorKind() == null
          && a.entry().events().stream().anyMatch(AuditReason.EditedTo.class::isInstance)) {
        lastEdit = a;
      }
    }
    return lastEdit != null ? lastEdit : parked;
  }
}
