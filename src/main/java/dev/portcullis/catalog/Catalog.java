package dev.portcullis.catalog;

import java.util.List;
import java.util.Optional;

/** The tools the gateway knows. A name it does not know is blocked. */
public interface Catalog {
  Optional<CatalogEntry> find(String toolName);

  /** Every tool, in a stable order (by name). */
  List<CatalogEntry> entries();

  /** Why {@code toolName}, though configured, may not be called now; empty when it may. */
  default Optional<Hold> hold(String toolName) {
    return Optional.empty();
  }
}
