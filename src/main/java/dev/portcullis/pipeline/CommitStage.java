package dev.portcullis.pipeline;

import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StateConflictException;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records the decision that allows the call, durably, before anything has an effect: one transition
 * of the {@link Ledger} that writes the call EXECUTING (a new call through CHECKED, claiming its
 * idempotency key; an approved one from AWAITING_APPROVAL) with the audit record that names the
 * decision. Ends the call when that cannot be written: no effect without a record of the decision
 * that allowed it, and no effect a restarted gateway would not know was under way.
 *
 * <p>Idempotency: when another call claimed the key since the ledger stage looked, this call gets
 * that call's answer ({@link KeyHolders}) and nothing runs.
 */
public final class CommitStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(CommitStage.class);

  private final Ledger ledger;
  private final AuditEntries entries;
  private final KeyHolders keys;

  public CommitStage(Ledger ledger, AuditEntries entries, JsonMapper json) {
    this.ledger = ledger;
    this.entries = entries;
    this.keys = new KeyHolders(json);
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    if (invocation.decision() == null || !invocation.decision().allows()) {
      throw new IllegalStateException(
          "invocation "
              + invocation.invocationId()
              + " reached commit without an allowing decision");
    }
    Invocation executing = invocation.movedTo(InvocationState.EXECUTING);
    AuditEntry record = entries.transition(executing, InvocationState.EXECUTING);
    Transition t =
        switch (invocation.state()) {
          case CHECKED ->
              Transition.open(
                  invocation,
                  record.argumentsDigest(),
                  invocation.idempotencyKey() != null,
                  List.of(InvocationState.CHECKED, InvocationState.EXECUTING),
                  null,
                  record);
          case AWAITING_APPROVAL ->
              Transition.move(
                  invocation,
                  InvocationState.AWAITING_APPROVAL,
                  List.of(InvocationState.EXECUTING),
                  null,
                  record);
          default ->
              throw new IllegalStateException(
                  "invocation "
                      + invocation.invocationId()
                      + " reached commit "
                      + invocation.state()
                      + ", not CHECKED or AWAITING_APPROVAL");
        };
    try {
      if (ledger.write(t) instanceof Ledger.Written.KeyHeld(StoredInvocation holder)) {
        return keys.answer(invocation, holder);
      }
    } catch (StateConflictException e) {
      LOG.warn(
          "invocation {} was moved by another writer; not executing it: {}",
          invocation.invocationId(),
          e.getMessage());
      return new Outcome.Failed(
          invocation,
          FailureKind.INTERNAL,
          "the call was decided elsewhere in the meantime, so nothing was executed here");
    } catch (StoreException e) {
      LOG.error("ledger unavailable; not executing invocation {}", invocation.invocationId(), e);
      return new Outcome.Failed(
          invocation,
          FailureKind.AUDIT_UNAVAILABLE,
          "the audit log cannot be written, so nothing was executed; retry later or ask an operator");
    }
    return chain.proceed(executing);
  }
}
