package dev.portcullis.pipeline;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how every call ended, allowed or not, in the audit log. A call the log cannot record
 * before anything ran ends failed ({@code audit-unavailable}): the audit log fails closed. An
 * outcome of another invocation (an idempotent replay) is recorded under this call's id, naming the
 * invocation it replays.
 *
 * <p>Failure: once a call has been executed (its EXECUTING record, naming the decision that
 * allowed it, is in the log), a terminal record that cannot be written does not turn its outcome
 * into a failure: the effect happened, and telling the agent otherwise would invite it to repeat
 * the write. The agent gets the real outcome, the invocation store keeps it, and the missing record
 * is logged at ERROR for an operator. A blind retry cannot run meanwhile: the next call's own
 * EXECUTING record cannot be written either.
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
      if (!replay && executed(outcome)) {
        LOG.error("audit log unavailable: invocation {} (tool {}, agent {}) ended {} upstream but its terminal"
                + " audit record could not be written; the agent was given the real outcome and the invocation"
                + " store holds it ('portcullis invocations show {}'). Check the data directory and the disk.",
            invocation.invocationId(), invocation.toolName(), invocation.agent().id(), outcome.state(),
            invocation.invocationId(), e);
        return outcome;
      }
      LOG.error("audit log unavailable; failing invocation {} closed", invocation.invocationId(), e);
      return new Outcome.Failed(
          outcome.invocation(),
          FailureKind.AUDIT_UNAVAILABLE,
          "the audit log cannot be written, so the call was not executed; retry later or ask an operator to check"
              + " the data directory");
    }
  }

  /** Whether the call reached its connector: only an executed call's outcome comes back in EXECUTING. */
  private static boolean executed(Outcome outcome) {
    return outcome instanceof Outcome.Completed
        || (outcome instanceof Outcome.Failed && outcome.invocation().state() == InvocationState.EXECUTING);
  }
}
