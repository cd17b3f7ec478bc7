package dev.portcullis.pipeline;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.Hold;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import java.util.List;
import java.util.Optional;

/**
 * Resolves the named tool in the catalog and pins its descriptor on the invocation. Ends the call
 * denied when no tool has that name (blocked by default), or when the tool is held: an upstream
 * tool not yet approved, or quarantined because its descriptor changed.
 */
public final class CatalogStage implements Stage {
  /** The reason recorded for a name the catalog does not know. */
  public static final String UNKNOWN_TOOL = "unknown-tool";

  /** The reason recorded for an upstream tool held until an operator approves it. */
  public static final String NOT_APPROVED = "tool-not-approved";

  /** The reason recorded for an upstream tool whose descriptor changed since its approval. */
  public static final String QUARANTINED = "tool-quarantined";

  /** The reason recorded for an upstream tool not yet checked against its approval since start. */
  public static final String UNVERIFIED = "upstream-unverified";

  private final Catalog catalog;

  public CatalogStage(Catalog catalog) {
    this.catalog = catalog;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Outcome.Denied held = held(catalog, invocation);
    if (held != null) {
      return held;
    }
    Optional<CatalogEntry> entry = catalog.find(invocation.toolName());
    if (entry.isEmpty()) {
      return new Outcome.Denied(
          invocation,
          DenialKind.UNKNOWN_TOOL,
          "unknown tool '"
              + invocation.toolName()
              + "': list the tools you may call with tools/list",
          List.of(UNKNOWN_TOOL));
    }
    return chain.proceed(invocation.withTool(entry.get().tool().ref()));
  }

  /**
   * Why {@code invocation}'s tool may not be called now (not approved, quarantined, unverified), or
   * null when it is not held. Validation asks again, for calls that resume after an approval.
   */
  static Outcome.Denied held(Catalog catalog, Invocation invocation) {
    Optional<Hold> hold = catalog.hold(invocation.toolName());
    if (hold.isEmpty()) {
      return null;
    }
    return switch (hold.get().kind()) {
      case NOT_APPROVED ->
          new Outcome.Denied(
              invocation, DenialKind.TOOL_NOT_APPROVED, hold.get().reason(), List.of(NOT_APPROVED));
      case QUARANTINED ->
          new Outcome.Denied(
              invocation, DenialKind.TOOL_QUARANTINED, hold.get().reason(), List.of(QUARANTINED));
      case UNVERIFIED ->
          new Outcome.Denied(
              invocation, DenialKind.UPSTREAM_UNVERIFIED, hold.get().reason(), List.of(UNVERIFIED));
    };
  }
}
