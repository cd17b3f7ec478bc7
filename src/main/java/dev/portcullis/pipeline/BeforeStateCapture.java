package dev.portcullis.pipeline;

import dev.portcullis.catalog.ArgumentTemplate;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.DeclaredCall;
import dev.portcullis.catalog.Reversal;
import dev.portcullis.catalog.Reversals;
import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorRegistry;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.BeforeState;
import dev.portcullis.invocation.BeforeStateStore;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.Transition;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Captures the before-state of a write that declares one: runs the declared read through its own
 * connector (its credential, its result filter), keeps the filtered result with the invocation and
 * audits its digest. {@link BeforeStateStage} calls it after the commit stage has recorded
 * EXECUTING and before the execute stage calls the write's connector.
 *
 * <p>Failure: fail closed. When the read cannot be built, run, kept or audited, the write is not
 * run and the call fails {@code before_state_unavailable}: no write whose prior state is unknown.
 *
 * <p>Security: the read is part of the write the policy allowed (configuration declares it; an
 * agent cannot name it), so it is not decided again. Its arguments come from the write's validated
 * arguments and are checked against the read tool's own schema. The audit record carries the
 * state's SHA-256 only; the values stay in the before-state store.
 */
public final class BeforeStateCapture {
  private static final Logger LOG = LoggerFactory.getLogger(BeforeStateCapture.class);

  /** Reason prefixes on the audit record of a capture: the read tool and the state's digest. */
  public static final String READ_REASON = "before-state:";

  public static final String DIGEST_REASON = "before-digest:sha256:";

  private final Catalog catalog;
  private final ConnectorRegistry connectors;
  private final Reversals reversals;
  private final BeforeStateStore store;
  private final Ledger ledger;
  private final AuditEntries entries;
  private final JsonMapper json;
  private final Clock clock;

  public BeforeStateCapture(
      Catalog catalog,
      ConnectorRegistry connectors,
      Reversals reversals,
      BeforeStateStore store,
      Ledger ledger,
      AuditEntries entries,
      JsonMapper json,
      Clock clock) {
    this.catalog = catalog;
    this.connectors = connectors;
    this.reversals = reversals;
    this.store = store;
    this.ledger = ledger;
    this.entries = entries;
    this.json = json;
    this.clock = clock;
  }

  /**
   * Captures {@code write}'s before-state if its tool declares one; the failure that ends it when
   * that fails.
   */
  public Optional<Outcome.Failed> capture(Invocation write) {
    Optional<DeclaredCall> declared = reversals.of(write.toolName()).flatMap(Reversal::before);
    if (declared.isEmpty()) {
      return Optional.empty();
    }
    DeclaredCall read = declared.get();
    JsonNode arguments;
    try {
      arguments = read.arguments().render(Map.of("args", write.arguments()));
    } catch (ArgumentTemplate.MissingValueException e) {
      return fail(write, "its arguments cannot be built: " + e.getMessage());
    }
    Optional<CatalogEntry> entry = catalog.find(read.tool());
    if (entry.isEmpty()) {
      return fail(write, "tool " + read.tool() + " is not in the catalog");
    }
    List<String> violations = entry.get().schema().violations(arguments);
    if (!violations.isEmpty()) {
      return fail(
          write,
          "its arguments do not match "
              + read.tool()
              + "'s schema: "
              + String.join("; ", violations));
    }
    Optional<Connector> connector = connectors.find(entry.get().tool().connector());
    if (connector.isEmpty()) {
      return fail(write, "connector " + entry.get().tool().connector() + " is not loaded");
    }
    Invocation readCall =
        new Invocation(
            write.invocationId(),
            write.traceId(),
            write.requestId(),
            null,
            write.agent(),
            write.user(),
            write.sessionId(),
            write.channel(),
            read.tool(),
            entry.get().tool().ref(),
            arguments,
            write.policyContext(),
            write.receivedAt(),
            write.state(),
            write.decision(),
            null);
    ConnectorResult result = connector.get().invoke(readCall);
    if (result instanceof ConnectorResult.Failure f) {
      // the read's own filter first (the write's applies too, in the filter stage): its detail
      // is an upstream's text, and it is logged here as well as shown
      return fail(
          write,
          read.tool()
              + " failed ("
              + f.kind().name().toLowerCase(java.util.Locale.ROOT)
              + "): "
              + entry.get().result().redactText(f.detail()));
    }
    JsonNode state =
        entry.get().result().apply(((ConnectorResult.Success) result).value()).result();
    String digest = AuditEntries.digest(json, state);
    try {
      store.save(
          new BeforeState(
              write.invocationId(), read.tool(), arguments, state, digest, clock.instant()));
      ledger.write(
          Transition.note(
              entries.transition(
                  write,
                  write.state(),
                  List.of(READ_REASON + read.tool(), DIGEST_REASON + digest))));
    } catch (StoreException e) {
      LOG.error(
          "cannot keep the before-state of invocation {}; not running the write",
          write.invocationId(),
          e);
      return fail(write, "it could not be recorded (the store or audit log cannot be written)");
    }
    return Optional.empty();
  }

  private static Optional<Outcome.Failed> fail(Invocation write, String why) {
    LOG.warn(
        "before-state of invocation {} (tool {}) not captured: {}",
        write.invocationId(),
        write.toolName(),
        why);
    return Optional.of(
        new Outcome.Failed(
            write,
            FailureKind.BEFORE_STATE_UNAVAILABLE,
            "the state this write would change could not be read first, so the write was not run: "
                + why));
  }
}
