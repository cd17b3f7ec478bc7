package dev.portcullis.pipeline;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Outcome;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the decision that allows the call, durably, before anything has an effect, and moves
 * the call to EXECUTING in the audit log and in the invocation store. Ends the call failed when
 * either cannot be written: no effect without a record of the decision that allowed it, and no
 * effect a restarted gateway would not know was under way.
 */
public final class CommitStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(CommitStage.class);

  private final AuditLog log;
  private final AuditEntries entries;
  private final StateWrites writes;

  public CommitStage(AuditLog log, AuditEntries entries, InvocationStore invocations, Clock clock) {
    this.log = log;
    this.entries = entries;
    this.writes = new StateWrites(invocations, clock);
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    if (invocation.decision() == null || !invocation.decision().allows()) {
      throw new IllegalStateException(
          "invocation " + invocation.invocationId() + " reached commit without an allowing decision");
    }
    Invocation executing = invocation.movedTo(InvocationState.EXECUTING);
    try {
      log.append(entries.transition(executing, InvocationState.EXECUTING));
    } catch (AuditLog.AuditUnavailableException e) {
      LOG.error("audit log unavailable; not executing invocation {}", invocation.invocationId(), e);
      return new Outcome.Failed(
          invocation,
          FailureKind.AUDIT_UNAVAILABLE,
          "the audit log cannot be written, so nothing was executed; retry later or ask an operator");
    }
    try {
      writes.move(invocation, InvocationState.EXECUTING, null);
    } catch (InvocationStore.StoreException e) {
      LOG.error("invocation store unavailable; not executing invocation {}", invocation.invocationId(), e);
      return new Outcome.Failed(
          invocation,
          FailureKind.STORE_UNAVAILABLE,
          "the invocation store cannot be written, so nothing was executed; retry later or ask an operator");
    }
    return chain.proceed(executing);
  }
}
