package dev.portcullis.catalog;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured tools, plus the tools of upstream MCP servers as their approvals and the
 * upstreams' current descriptors allow.
 *
 * <p>Concurrency: the whole view is one immutable snapshot behind a volatile reference; {@link
 * #publish} builds a new one and swaps it (callers serialise their publishes), so a reader sees one
 * connector's tools and holds either all before or all after a change.
 */
public final class LiveCatalog implements Catalog {
  private record Snapshot(
      Map<String, CatalogEntry> byName,
      List<CatalogEntry> ordered,
      Map<String, Hold> holds,
      Map<String, List<String>> namesByConnector) {}

  private final Map<String, CatalogEntry> configured;
  private volatile Snapshot snapshot;

  public LiveCatalog(List<CatalogEntry> configured) {
    Map<String, CatalogEntry> m = new HashMap<>();
    configured.forEach(e -> m.put(e.tool().name(), e));
    this.configured = Map.copyOf(m);
    this.snapshot = build(this.configured, Map.of(), Map.of(), Map.of());
  }

  /**
   * Replaces what upstream {@code connector} contributes: the callable {@code entries} (pinned
   * descriptors) and the {@code holds} on its tools (a held tool may also have an entry).
   */
  public synchronized void publish(
      String connector, List<CatalogEntry> entries, Map<String, Hold> holds) {
    Snapshot old = snapshot;
    Map<String, CatalogEntry> upstream = new HashMap<>();
    Map<String, Hold> allHolds = new HashMap<>(old.holds());
    old.namesByConnector().getOrDefault(connector, List.of()).forEach(allHolds::remove);
    old.byName()
        .forEach(
            (name, e) -> {
              if (!configured.containsKey(name) && !e.tool().connector().equals(connector)) {
                upstream.put(name, e);
              }
            });
    for (CatalogEntry e : entries) {
      if (configured.containsKey(e.tool().name())) {
        throw new IllegalArgumentException("tool " + e.tool().name() + " is already configured");
      }
      upstream.put(e.tool().name(), e);
    }
    allHolds.putAll(holds);
    Map<String, List<String>> heldByConnector = new HashMap<>(old.namesByConnector());
    heldByConnector.put(connector, List.copyOf(holds.keySet()));
    snapshot = build(configured, upstream, allHolds, heldByConnector);
  }

  private static Snapshot build(
      Map<String, CatalogEntry> configured,
      Map<String, CatalogEntry> upstream,
      Map<String, Hold> holds,
      Map<String, List<String>> heldByConnector) {
    Map<String, CatalogEntry> all = new HashMap<>(configured);
    all.putAll(upstream);
    List<CatalogEntry> ordered =
        all.values().stream().sorted(Comparator.comparing(e -> e.tool().name())).toList();
    return new Snapshot(Map.copyOf(all), ordered, Map.copyOf(holds), Map.copyOf(heldByConnector));
  }

  @Override
  public Optional<CatalogEntry> find(String toolName) {
    return Optional.ofNullable(snapshot.byName().get(toolName));
  }

  /** Every tool that may be called now: held tools are left out. */
  @Override
  public List<CatalogEntry> entries() {
    Snapshot s = snapshot;
    if (s.holds().isEmpty()) {
      return s.ordered();
    }
    return s.ordered().stream().filter(e -> !s.holds().containsKey(e.tool().name())).toList();
  }

  @Override
  public Optional<Hold> hold(String toolName) {
    return Optional.ofNullable(snapshot.holds().get(toolName));
  }
}
