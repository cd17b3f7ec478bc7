package dev.portcullis.catalog;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The reversals declared in configuration, by the name of the write tool that declares each. */
public final class Reversals {
  public static final Reversals NONE = new Reversals(List.of());

  private final Map<String, Reversal> byTool;

  public Reversals(List<Reversal> declared) {
    this.byTool =
        declared.stream()
            .collect(Collectors.toUnmodifiableMap(Reversal::tool, Function.identity()));
  }

  public Optional<Reversal> of(String tool) {
    return Optional.ofNullable(byTool.get(tool));
  }

  public List<Reversal> all() {
    return byTool.values().stream().sorted(java.util.Comparator.comparing(Reversal::tool)).toList();
  }
}
