package dev.portcullis.config;

import dev.portcullis.catalog.ArgumentTemplate;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.DeclaredCall;
import dev.portcullis.catalog.Reversal;
import dev.portcullis.catalog.RiskClass;
import dev.portcullis.catalog.ToolDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads what write tools declare about undoing themselves: {@code before: {tool, arguments}}, the
 * read that captures the state the write will change, and {@code compensate: {tool, arguments}},
 * the call that undoes it. Checked against the whole catalog once every tool is read: both tools
 * must exist, {@code before} must be a read, only a write may declare either, and every {@code
 * args.NAME} placeholder must name an argument of the declaring tool. {@code before} may use {@code
 * args} only; {@code compensate} may use {@code args}, {@code before} (when declared) and {@code
 * result}.
 */
final class ReversalSection {
  static final Set<String> KEYS = Set.of("before", "compensate");

  private final ConfigReader r;

  ReversalSection(ConfigReader r) {
    this.r = r;
  }

  List<Reversal> read(List<CatalogEntry> entries) {
    Map<String, ToolDefinition> tools =
        entries.stream()
            .map(CatalogEntry::tool)
            .collect(Collectors.toMap(ToolDefinition::name, Function.identity(), (a, b) -> a));
    List<Reversal> out = new ArrayList<>();
    int n = r.at("/tools").isArray() ? r.at("/tools").size() : 0;
    for (int i = 0; i < n; i++) {
      String p = "/tools/" + i;
      if (!r.at(p).isObject()
          || PackSection.isPackEntry(r, p)
          || (r.at(p + "/before").isMissingNode() && r.at(p + "/compensate").isMissingNode())) {
        continue;
      }
      ToolDefinition self = tools.get(r.at(p + "/name").asString(""));
      if (self == null) {
        continue; // the tool itself is wrong; its own problems are reported
      }
      if (self.risk() != RiskClass.WRITE) {
        r.problem(
            r.at(p + "/before").isMissingNode() ? p + "/compensate" : p + "/before",
            "only a tool of risk write may declare before or compensate; '"
                + self.name()
                + "' is "
                + self.risk().wireName());
        continue;
      }
      Optional<DeclaredCall> before = call(p + "/before", self, tools, Set.of("args"));
      Set<String> scopes =
          before.isPresent() ? Set.of("args", "before", "result") : Set.of("args", "result");
      Optional<DeclaredCall> compensate = call(p + "/compensate", self, tools, scopes);
      if (before.isPresent() && before.get().tool().equals(self.name())) {
        r.problem(p + "/before/tool", "a tool cannot capture its own before-state with itself");
      }
      if (before.isPresent() || compensate.isPresent()) {
        out.add(new Reversal(self.name(), before, compensate));
      }
    }
    return out;
  }

  private Optional<DeclaredCall> call(
      String p, ToolDefinition self, Map<String, ToolDefinition> tools, Set<String> scopes) {
    if (r.at(p).isMissingNode() || !r.isObject(p, false)) {
      return Optional.empty();
    }
    r.onlyKeys(p, Set.of("tool", "arguments"));
    Optional<String> name = r.string(p + "/tool", true);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    ToolDefinition target = tools.get(name.get());
    boolean isBefore = p.endsWith("/before");
    if (target == null) {
      r.problem(
          p + "/tool",
          "no tool named '" + name.get() + "' is in the catalog; declare it under tools first");
      return Optional.empty();
    }
    if (isBefore && target.risk() != RiskClass.READ) {
      r.problem(
          p + "/tool",
          "the before-state tool must be of risk read; '"
              + target.name()
              + "' is "
              + target.risk().wireName());
      return Optional.empty();
    }
    if (!r.isObject(p + "/arguments", true)) {
      return Optional.empty();
    }
    ArgumentTemplate template = ArgumentTemplate.of(r.at(p + "/arguments"));
    Set<String> argNames = new HashSet<>();
    self.inputSchema().path("properties").propertyNames().forEach(argNames::add);
    boolean ok = true;
    for (ArgumentTemplate.Placeholder ph : template.placeholders()) {
      String where = p + "/arguments" + ph.pointer();
      if (!scopes.contains(ph.scope())) {
        r.problem(
            where,
            "{"
                + ph.text()
                + "}: "
                + ph.scope()
                + " is not available here; use "
                + scopes.stream().sorted().map(s -> s + ".NAME").collect(Collectors.joining(", "))
                + (isBefore || scopes.contains("before")
                    ? ""
                    : " (before.NAME needs a before: declaration)"));
        ok = false;
      } else if (ph.scope().equals("args") && !argNames.contains(ph.path().getFirst())) {
        r.problem(
            where,
            "{"
                + ph.text()
                + "}: '"
                + self.name()
                + "' has no argument '"
                + ph.path().getFirst()
                + "'; its arguments are "
                + argNames.stream().sorted().toList());
        ok = false;
      }
    }
    return ok ? Optional.of(new DeclaredCall(target.name(), template)) : Optional.empty();
  }

  /** The normalised form printed by {@code config check --print}. */
  static Map<String, Object> normalized(DeclaredCall call) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("tool", call.tool());
    m.put("arguments", call.arguments().source());
    return m;
  }
}
