package dev.portcullis.invocation;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * How a stored invocation ended, as the invocation store keeps it: the (filtered) result of a
 * completed call, or the kind, detail and reasons of one that did not complete. {@code kind} is the
 * lower-case name of a {@link FailureKind} or {@link DenialKind}, or {@code interrupted}.
 */
public record Ending(String kind, String detail, List<String> reasons, JsonNode result) {
  /** The kind of a call found EXECUTING after a crash: its effect upstream is unknown. */
  public static final String INTERRUPTED = "interrupted";

  public Ending {
    reasons = List.copyOf(reasons);
    if (result == null) {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** The ending an outcome records; null for a parked call, which has not ended. */
  public static Ending of(Outcome outcome) {
    return switch (outcome) {
      case Outcome.Completed c -> new Ending(null, null, List.of(), c.result());
      case Outcome.Failed f -> new Ending(name(f.kind()), f.detail(), List.of(), null);
      case Outcome.Denied d -> new Ending(name(d.kind()), d.message(), d.reasons(), null);
      case Outcome.AwaitingApproval a -> null;
    };
  }

  /**
   * The outcome this ending replays for {@code inv}, or null when it is not one. A call that
   * expired or was cancelled replays as denied with that kind: it ended without its effect, and the
   * same idempotency key gets that answer again (a new attempt needs a new key).
   */
  public Outcome outcome(Invocation inv, InvocationState state) {
    return switch (state) {
      case COMPLETED -> result == null ? null : new Outcome.Completed(inv, result);
      case FAILED -> failure(kind) == null ? null : new Outcome.Failed(inv, failure(kind), detail);
      case DENIED ->
          denial(kind) == null ? null : new Outcome.Denied(inv, denial(kind), detail, reasons);
      case EXPIRED -> new Outcome.Denied(inv, DenialKind.APPROVAL_EXPIRED, detail, reasons);
      case CANCELLED -> new Outcome.Denied(inv, DenialKind.CANCELLED, detail, reasons);
      default -> null;
    };
  }

  private static String name(Enum<?> kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  private static FailureKind failure(String kind) {
    for (FailureKind k : FailureKind.values()) {
      if (name(k).equals(kind)) {
        return k;
      }
    }
    return null;
  }

  private static DenialKind denial(String kind) {
    for (DenialKind k : DenialKind.values()) {
      if (name(k).equals(kind)) {
        return k;
      }
    }
    return null;
  }
}
