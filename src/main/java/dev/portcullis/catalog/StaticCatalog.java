package dev.portcullis.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A catalog fixed at load: an immutable map, read without locks on the hot path. */
public final class StaticCatalog implements Catalog {
  private final Map<String, CatalogEntry> byName;
  private final List<CatalogEntry> ordered;

  public StaticCatalog(List<CatalogEntry> entries) {
    this.byName =
        entries.stream()
            .collect(Collectors.toUnmodifiableMap(e -> e.tool().name(), Function.identity()));
    this.ordered = entries.stream().sorted(Comparator.comparing(e -> e.tool().name())).toList();
  }

  @Override
  public Optional<CatalogEntry> find(String toolName) {
    return Optional.ofNullable(byName.get(toolName));
  }

  @Override
  public List<CatalogEntry> entries() {
    return ordered;
  }
}
