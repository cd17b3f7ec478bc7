package dev.portcullis.service;

import dev.portcullis.catalog.ArgumentTemplate;
import dev.portcullis.catalog.DeclaredCall;
import dev.portcullis.catalog.Reversal;
import dev.portcullis.catalog.Reversals;
import dev.portcullis.invocation.BeforeState;
import dev.portcullis.invocation.BeforeStateStore;
import dev.portcullis.invocation.Channel;
import dev.portcullis.invocation.IdempotencyKeys;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationIds;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.service.InvocationAdmin.Refusal;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Reverts a completed write: builds its declared compensation's arguments from the write's {@code
 * args}, its captured {@code before} state and its filtered {@code result}, then runs that call as
 * a new invocation through the standard pipeline, so catalog, validation, policy, limits, approval,
 * commit, execution, filtering and audit all apply to it.
 *
 * <p>Who the compensation runs as: the original call's agent and tenant (the agent's grants still
 * bound it), for the operator as a verified user ({@code id} the approver's id, role {@value
 * #OPERATOR_ROLE}, so agent ∩ user applies and a policy must permit the operator too), on channel
 * {@value #CHANNEL}, with request id {@code reverts:ORIGINAL_ID} and policy context {@code reverts:
 * ORIGINAL_ID}.
 *
 * <p>Exactly once: the new invocation carries the idempotency key {@code revert:ORIGINAL_ID} for
 * the original agent and tenant. A second revert of the same call is the same request under the
 * same key, so the state stage gives the first revert's outcome again (completed, denied or failed)
 * without running anything; while the first is parked for approval, a second is refused as in
 * flight.
 */
public final class Reverts {
  private static final Logger LOG = LoggerFactory.getLogger(Reverts.class);
  public static final String CHANNEL = Channel.REVERT.wireName();
  public static final String OPERATOR_ROLE = "operator";

  private final Pipeline pipeline;
  private final Reversals reversals;
  private final BeforeStateStore beforeStates;
  private final Clock clock;

  /** How a revert went: the original call and the compensation's outcome. */
  public record Reverted(StoredInvocation original, Outcome compensation) {}

  public Reverts(
      Pipeline pipeline, Reversals reversals, BeforeStateStore beforeStates, Clock clock) {
    this.pipeline = pipeline;
    this.reversals = reversals;
    this.beforeStates = beforeStates;
    this.clock = clock;
  }

  Reverted revert(StoredInvocation original, String operator) throws Refusal {
    Invocation inv = original.invocation();
    Optional<DeclaredCall> declared = reversals.of(inv.toolName()).flatMap(Reversal::compensate);
    if (declared.isEmpty()) {
      throw new Refusal(
          Refusal.Kind.NO_COMPENSATION,
          "tool "
              + inv.toolName()
              + " declares no compensate:, so"
              + " invocation "
              + inv.invocationId()
              + " cannot be reverted here; undo it in the system behind the tool");
    }
    if (original.state() != InvocationState.COMPLETED) {
      throw new Refusal(
          Refusal.Kind.NOT_COMPLETED,
          "invocation "
              + inv.invocationId()
              + " is "
              + InvocationAdmin.wire(original.state())
              + "; only a completed call can be reverted"
              + (original.state() == InvocationState.NEEDS_RECONCILIATION
                  ? " (settle it first)"
                  : ""));
    }
    Map<String, JsonNode> scopes = new HashMap<>();
    scopes.put("args", inv.arguments());
    if (original.ending() != null && original.ending().result() != null) {
      scopes.put("result", original.ending().result());
    }
    try {
      beforeStates
          .find(inv.invocationId())
          .map(BeforeState::state)
          .ifPresent(s -> scopes.put("before", s));
    } catch (StoreException e) {
      throw InvocationAdmin.unavailable(e);
    }
    JsonNode arguments;
    try {
      arguments = declared.get().arguments().render(scopes);
    } catch (ArgumentTemplate.MissingValueException e) {
      throw new Refusal(
          Refusal.Kind.COMPENSATION_INCOMPLETE,
          "the compensation "
              + declared.get().tool()
              + " of invocation "
              + inv.invocationId()
              + " cannot be built: "
              + e.getMessage()
              + "; undo it in the system behind the tool");
    }
    Map<String, String> context = new HashMap<>(inv.policyContext());
    context.put("reverts", inv.invocationId());
    Invocation compensation =
        Invocation.received(
            InvocationIds.next(clock.instant()),
            traceId(),
            "reverts:" + inv.invocationId(),
            IdempotencyKeys.revertOf(inv.invocationId()),
            inv.agent(),
            new UserRef(operator, inv.tenant(), Set.of(OPERATOR_ROLE), Set.of(), true),
            null,
            CHANNEL,
            declared.get().tool(),
            arguments,
            context,
            clock.instant());
    LOG.info(
        "operator {} reverts invocation {} with {} (invocation {})",
        operator,
        inv.invocationId(),
        declared.get().tool(),
        compensation.invocationId());
    return new Reverted(original, pipeline.run(compensation));
  }

  private static String traceId() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
