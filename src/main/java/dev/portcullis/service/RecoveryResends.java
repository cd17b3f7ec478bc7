package dev.portcullis.service;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.Reversal;
import dev.portcullis.catalog.Reversals;
import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorRegistry;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.BeforeStateStore;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.pipeline.FilterStage;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Re-sends, once, a write a stopped gateway left EXECUTING when its connector declares that the
 * upstream honours idempotency keys, and records the outcome the upstream gives. The re-send
 * carries the same derived upstream key as the first send (the connector derives it from the
 * tenant, agent and agent key under the installation's stored key) and the arguments as recorded
 * (an approver's edit included), so an upstream that saw the first send answers its outcome again
 * and executes nothing twice.
 *
 * <p>Failure: fail closed. Before anything is sent the call moves, durably, to NEEDS_RECONCILIATION
 * with a record saying it is being re-sent: a gateway that dies during the re-send leaves it there
 * for an operator, and recovery, which only re-sends calls still EXECUTING, never sends it a third
 * time. The call leaves NEEDS_RECONCILIATION only when the answer settles it: a result (COMPLETED,
 * filtered as on the road) or a refusal of the request itself (FAILED with the upstream's error,
 * {@link ConnectorResult.Failure#conclusive()}). Any other answer (a timeout, a lost connection, a
 * 5xx, a rate limit, an unavailable credential) is noted on the call, which stays for the operator.
 *
 * <p>What is not re-sent (it waits for an operator, as before): a call without an idempotency key
 * (the upstream would have nothing to deduplicate on), one on a connector that does not declare
 * {@code upstreamHonoursIdempotencyKeys}, one whose tool is no longer configured as it was when the
 * call was made (another descriptor or connector), and one whose tool declares a before-state that
 * was not kept (whether the write ran cannot be told, and capturing one now could read its result).
 *
 * <p>Security: the credential is resolved by the connector, from the vault, at the re-send, as on
 * the road; nothing this class logs or returns holds a key, a credential or an argument.
 */
public final class RecoveryResends {
  /** The reason on the record of a call moved aside to be re-sent, and on its ending's record. */
  public static final String RESENT = "resent-on-recovery";

  /** The reason prefix naming the kind of a re-send's answer that did not settle the call. */
  public static final String UNSETTLED = "resend-unsettled:";

  static final String RESENDING_DETAIL =
      "the gateway stopped while the call was executing; its upstream honours idempotency keys, so"
          + " it is being re-sent once under the same key. If no later record settles it, the"
          + " re-send's outcome is unknown too and it will not be sent again: check the system"
          + " behind the tool and settle it";

  static final String UNSETTLED_DETAIL =
      "re-sent once on recovery under the same idempotency key, but the answer does not settle"
          + " whether the call took effect, and it will not be sent again: check the system behind"
          + " the tool and settle it. The answer: ";

  private final Catalog catalog;
  private final ConnectorRegistry connectors;
  private final Set<String> honouringConnectors;
  private final Reversals reversals;
  private final BeforeStateStore beforeStates;
  private final Ledger ledger;
  private final AuditEntries entries;

  /**
   * @param honouringConnectors the connectors whose configuration declares that their upstream
   *     honours idempotency keys
   */
  public RecoveryResends(
      Catalog catalog,
      ConnectorRegistry connectors,
      Set<String> honouringConnectors,
      Reversals reversals,
      BeforeStateStore beforeStates,
      Ledger ledger,
      AuditEntries entries) {
    this.catalog = catalog;
    this.connectors = connectors;
    this.honouringConnectors = Set.copyOf(honouringConnectors);
    this.reversals = reversals;
    this.beforeStates = beforeStates;
    this.ledger = ledger;
    this.entries = entries;
  }

  /** What a re-send came to. */
  public sealed interface Resent {
    /** The upstream's answer settled the call: it is now COMPLETED or FAILED. */
    record Settled(Outcome outcome) implements Resent {}

    /** The answer (of {@code kind}) did not settle it: it is NEEDS_RECONCILIATION. */
    record Unsettled(FailureKind kind) implements Resent {}
  }

  /**
   * Why the write {@code call} (left EXECUTING) cannot be re-sent, for the operator; empty when it
   * can.
   */
  public Optional<String> whyNot(StoredInvocation call) throws StoreException {
    Invocation inv = call.invocation();
    if (inv.idempotencyKey() == null) {
      return Optional.of(
          "it carries no idempotency key, so the upstream has none to deduplicate a re-send on");
    }
    if (inv.tool() == null) {
      return Optional.of("its tool was not recorded");
    }
    String connector = inv.tool().connector();
    if (!honouringConnectors.contains(connector)) {
      return Optional.of(
          "connector " + connector + " does not declare upstreamHonoursIdempotencyKeys");
    }
    Optional<CatalogEntry> entry = catalog.find(inv.toolName());
    if (entry.isEmpty() || !entry.get().tool().ref().equals(inv.tool())) {
      return Optional.of(
          "tool " + inv.toolName() + " is no longer configured as it was when the call was made");
    }
    if (connectors.find(connector).isEmpty()) {
      return Optional.of("connector " + connector + " is not loaded");
    }
    if (reversals.of(inv.toolName()).flatMap(Reversal::before).isPresent()
        && beforeStates.find(inv.invocationId()).isEmpty()) {
      return Optional.of(
          "its tool declares a before-state and none was kept, so whether the write ran cannot be"
              + " told");
    }
    return Optional.empty();
  }

  /**
   * Re-sends {@code call}, which {@link #whyNot} let through: moves it to NEEDS_RECONCILIATION
   * (durable before anything is sent), sends it once, and records the answer.
   *
   * @throws StoreException when the ledger cannot be written; if that happens before the send,
   *     nothing was sent
   */
  public Resent resend(StoredInvocation call) throws StoreException {
    Invocation inv = call.current();
    ledger.write(
        Transition.move(
            inv,
            InvocationState.EXECUTING,
            List.of(InvocationState.NEEDS_RECONCILIATION),
            new Ending(Ending.INTERRUPTED, RESENDING_DETAIL, List.of(RESENT), null),
            entries.interrupted(
                inv.movedTo(InvocationState.NEEDS_RECONCILIATION),
                RESENDING_DETAIL,
                List.of(RESENT))));
    CatalogEntry entry = catalog.find(inv.toolName()).orElseThrow();
    Connector connector = connectors.find(inv.tool().connector()).orElseThrow();
    ConnectorResult result = connector.invoke(inv);
    Invocation done = result.credential() == null ? inv : inv.withCredential(result.credential());
    Outcome outcome =
        FilterStage.filtered(
            switch (result) {
              case ConnectorResult.Success s -> new Outcome.Completed(done, s.value());
              case ConnectorResult.Failure f -> new Outcome.Failed(done, f.kind(), f.detail());
            },
            entry.result());
    if (result instanceof ConnectorResult.Failure f && !f.conclusive()) {
      Outcome.Failed failed = (Outcome.Failed) outcome;
      String kind = f.kind().name().toLowerCase(Locale.ROOT);
      ledger.write(
          Transition.note(
              entries.interrupted(
                  done.movedTo(InvocationState.NEEDS_RECONCILIATION),
                  UNSETTLED_DETAIL + failed.detail(),
                  List.of(RESENT, UNSETTLED + kind))));
      return new Resent.Unsettled(f.kind());
    }
    ledger.write(
        Transition.move(
            outcome.invocation(),
            InvocationState.NEEDS_RECONCILIATION,
            List.of(outcome.state()),
            Ending.of(outcome),
            entries.terminal(outcome, List.of(RESENT))));
    return new Resent.Settled(outcome);
  }
}
