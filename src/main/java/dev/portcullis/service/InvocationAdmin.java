package dev.portcullis.service;

import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.BeforeState;
import dev.portcullis.invocation.BeforeStateStore;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StateConflictException;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What operators (the configured approvers) do with stored invocations: list them by state, show
 * one with its before-state, settle a call left NEEDS_RECONCILIATION by a crash, and revert a
 * completed write through its declared compensation ({@link Reverts}). An operator sees and acts on
 * the calls of their tenants only; another tenant's call is not found, exactly as an unknown id.
 *
 * <p>Settling: only from NEEDS_RECONCILIATION, to COMPLETED (it took effect upstream), FAILED (it
 * did not) or CANCELLED (voided; e.g. undone by hand), always with a reason. The operator's word is
 * recorded, not checked: the gateway cannot know what happened upstream. An idempotent retry of the
 * call then gets: a completed settlement's marker result, the failure {@code interrupted}, or for a
 * cancelled one a refusal naming it.
 *
 * <p>Concurrency: a settlement is the invocation store's compare-and-set from NEEDS_RECONCILIATION;
 * of two operators settling at once exactly one wins, the other is refused.
 *
 * <p>Audit: each settlement is a record in the chain naming who ({@code settled-by:ID}), as what,
 * why (the detail) and when, written after the store's compare-and-set is won.
 */
public final class InvocationAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(InvocationAdmin.class);

  /** The kind recorded on a settlement's ending and audit record. */
  public static final String SETTLED = "settled";

  private final InvocationStore invocations;
  private final BeforeStateStore beforeStates;
  private final Ledger ledger;
  private final AuditEntries entries;
  private final Reverts reverts;

  /** One stored call, and its before-state when its tool captured one. */
  public record View(StoredInvocation invocation, Optional<BeforeState> before) {}

  public InvocationAdmin(
      InvocationStore invocations,
      BeforeStateStore beforeStates,
      Ledger ledger,
      AuditEntries entries,
      Reverts reverts) {
    this.invocations = invocations;
    this.beforeStates = beforeStates;
    this.ledger = ledger;
    this.entries = entries;
    this.reverts = reverts;
  }

  /**
   * Every call in the state named {@code stateName} ({@code needs-reconciliation} or {@code
   * needs_reconciliation}, any case), oldest first.
   *
   * @throws IllegalArgumentException when no state has that name
   */
  public List<StoredInvocation> list(String stateName, OperatorRef operator) throws Refusal {
    InvocationState state = parse(stateName);
    if (state == null) {
      throw new IllegalArgumentException(
          "state must be one of "
              + String.join(
                  ", ",
                  java.util.Arrays.stream(InvocationState.values())
                      .map(InvocationAdmin::wire)
                      .toList()));
    }
    try {
      return invocations.inState(state).stream()
          .filter(s -> operator.covers(s.invocation().tenant()))
          .toList();
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  /**
   * One call of {@code operator}'s tenants with its before-state; another tenant's is not found.
   */
  public View show(String invocationId, OperatorRef operator) throws Refusal {
    try {
      return new View(stored(invocationId, operator), beforeStates.find(invocationId));
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  /**
   * Settles a call left NEEDS_RECONCILIATION as {@code as} (completed, failed or cancelled) with
   * the operator's reason; answers the call as now stored.
   */
  public StoredInvocation settle(String invocationId, String as, String reason, OperatorRef by)
      throws Refusal {
    String operator = by.id();
    InvocationState to =
        switch (as == null ? "" : as.toLowerCase(Locale.ROOT)) {
          case "completed" -> InvocationState.COMPLETED;
          case "failed" -> InvocationState.FAILED;
          case "cancelled" -> InvocationState.CANCELLED;
          default ->
              throw new IllegalArgumentException("as must be one of completed, failed, cancelled");
        };
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException(
          "a settlement needs a reason: what you found in the system behind the tool");
    }
    StoredInvocation s = stored(invocationId, by);
    refuseUnlessReconcilable(s);
    String detail = "settled as " + wire(to) + " by " + operator + ": " + reason;
    List<AuditReason> events = List.of(new AuditReason.SettledBy(operator));
    List<String> reasons = AuditReason.wire(events);
    Ending ending =
        switch (to) {
          case COMPLETED -> {
            ObjectNode marker = JsonNodeFactory.instance.objectNode();
            marker.put("settled", "completed");
            marker.put("settledBy", operator);
            marker.put("reason", reason);
            yield new Ending(SETTLED, detail, reasons, marker);
          }
          case FAILED -> new Ending(Ending.INTERRUPTED, detail, reasons, null);
          default -> new Ending(SETTLED, detail, reasons, null);
        };
    Invocation inv = s.invocation();
    StoredInvocation settled;
    try {
      ledger.write(
          Transition.move(
              inv,
              InvocationState.NEEDS_RECONCILIATION,
              List.of(to),
              ending,
              entries.event(inv.movedTo(to), to, events, SETTLED, detail)));
      settled =
          invocations
              .find(invocationId)
              .orElseThrow(
                  () ->
                      new StoreException(
                          "invocation " + invocationId + " vanished after it was settled"));
    } catch (StateConflictException e) {
      refuseUnlessReconcilable(stored(invocationId, by));
      throw new Refusal(
          Refusal.Kind.NOT_RECONCILABLE,
          "invocation " + invocationId + " was settled by someone else");
    } catch (StoreException e) {
      throw unavailable(e);
    }
    LOG.info("invocation {} settled as {} by {}", invocationId, to, operator);
    return settled;
  }

  /** Reverts a completed write through its declared compensation; see {@link Reverts}. */
  public Reverts.Reverted revert(String invocationId, OperatorRef by) throws Refusal {
    String operator = by.id();
    Reverts.Reverted done = reverts.revert(stored(invocationId, by), operator);
    Invocation comp = done.compensation().invocation();
    append(
        entries.event(
            done.original().invocation(),
            done.original().state(),
            List.of(
                new AuditReason.RevertBy(operator),
                new AuditReason.RevertedWith(comp.invocationId())),
            "revert",
            "operator "
                + operator
                + " asked to revert this call; compensation "
                + comp.toolName()
                + " (invocation "
                + comp.invocationId()
                + ") is "
                + wire(done.compensation().state())));
    return done;
  }

  private static void refuseUnlessReconcilable(StoredInvocation s) throws Refusal {
    if (s.state() != InvocationState.NEEDS_RECONCILIATION) {
      throw new Refusal(
          Refusal.Kind.NOT_RECONCILABLE,
          "invocation "
              + s.invocationId()
              + " is "
              + wire(s.state())
              + "; only a call left needs-reconciliation by a gateway restart can be settled");
    }
  }

  /**
   * Call {@code invocationId} when it is of one of {@code operator}'s tenants; otherwise not found,
   * as an unknown id.
   */
  private StoredInvocation stored(String invocationId, OperatorRef operator) throws Refusal {
    try {
      return invocations
          .find(invocationId)
          .filter(s -> operator.covers(s.invocation().tenant()))
          .orElseThrow(() -> new Refusal(Refusal.Kind.NOT_FOUND, "no invocation " + invocationId));
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  void append(AuditEntry entry) throws Refusal {
    try {
      ledger.write(Transition.note(entry));
    } catch (StoreException e) {
      LOG.error("audit log unavailable while recording an operator's act", e);
      throw new Refusal(
          Refusal.Kind.UNAVAILABLE,
          "the audit log cannot be written; retry later or ask an operator");
    }
  }

  static InvocationState parse(String name) {
    if (name == null) {
      return null;
    }
    for (InvocationState s : InvocationState.values()) {
      if (wire(s).equals(name.toLowerCase(Locale.ROOT).replace('_', '-'))) {
        return s;
      }
    }
    return null;
  }

  /** The wire name of a state: {@code needs-reconciliation}. */
  static String wire(InvocationState s) {
    return s.wireName();
  }

  static Refusal unavailable(StoreException e) {
    LOG.error("invocation store unavailable", e);
    return new Refusal(
        Refusal.Kind.UNAVAILABLE, "the invocation store cannot be read or written; retry later");
  }

  /** Why an operator's request was refused; the message says what to do next. */
  public static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    /** The kinds of refusal the operator API maps to problems. */
    public enum Kind {
      NOT_FOUND,
      NOT_RECONCILABLE,
      NOT_COMPLETED,
      NO_COMPENSATION,
      COMPENSATION_INCOMPLETE,
      UNAVAILABLE
    }

    private final Kind kind;

    public Refusal(Kind kind, String message) {
      super(message);
      this.kind = kind;
    }

    public Kind kind() {
      return kind;
    }
  }
}
