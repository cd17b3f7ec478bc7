package dev.portcullis.pipeline;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how every call ended, allowed or not, in the audit log. Ends the call failed when the
 * record cannot be written: the audit log fails closed. An outcome of another invocation (an
 * idempotent replay) is recorded under this call's id, naming the invocation it replays.
 */
public final class AuditStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(AuditStage.class);

  private final AuditLog log;
  private final AuditEntries entries;
  private final Parked parked;

  /** Told of each call parked for approval, once its record is in the log. Never throws. */
  @FunctionalInterface
  public interface Parked {
    Parked NONE = (invocation, approvalId) -> { };

    void recorded(Invocation invocation, String approvalId);
  }

  public AuditStage(AuditLog log, AuditEntries entries) {
    this(log, entries, Parked.NONE);
  }

  public AuditStage(AuditLog log, AuditEntries entries, Parked parked) {
    this.log = log;
    this.entries = entries;
    this.parked = parked;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Outcome outcome = chain.proceed(invocation);
    boolean replay = !outcome.invocation().invocationId().equals(invocation.invocationId());
    try {
      log.append(replay ? entries.replay(invocation, outcome) : entries.terminal(outcome));
      if (!replay && outcome instanceof Outcome.AwaitingApproval a) {
        parked.recorded(a.invocation(), a.approvalId());
      }
      return outcome;
    } catch (AuditLog.AuditUnavailableException e) {
      LOG.error("audit log unavailable; failing invocation {} closed", invocation.invocationId(), e);
      return new Outcome.Failed(
          outcome.invocation(),
          FailureKind.AUDIT_UNAVAILABLE,
          "the audit log cannot be written, so the call is reported as failed; ask an operator to check the data directory");
    }
  }
}
