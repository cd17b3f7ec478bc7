package dev.portcullis.pipeline;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import java.util.List;
import java.util.Optional;

/**
 * Resolves the named tool in the catalog and pins its descriptor on the invocation. Ends the call
 * denied when no tool has that name: blocked by default.
 */
public final class CatalogStage implements Stage {
  /** The reason recorded for a name the catalog does not know. */
  public static final String UNKNOWN_TOOL = "unknown-tool";

  private final Catalog catalog;

  public CatalogStage(Catalog catalog) {
    this.catalog = catalog;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Optional<CatalogEntry> entry = catalog.find(invocation.toolName());
    if (entry.isEmpty()) {
      return new Outcome.Denied(
          invocation,
          DenialKind.UNKNOWN_TOOL,
          "unknown tool '" + invocation.toolName() + "': list the tools you may call with tools/list",
          List.of(UNKNOWN_TOOL));
    }
    return chain.proceed(invocation.withTool(entry.get().tool().ref()));
  }
}
