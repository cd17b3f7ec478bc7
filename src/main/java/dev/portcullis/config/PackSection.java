package dev.portcullis.config;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.RiskClass;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a {@code tools:} entry that takes tools from a connector pack bundled with Portcullis
 * ({@code pack}, {@code connector}, {@code include}, {@code overrides}) and turns each included
 * tool into a catalog entry through the very checks of {@link ToolSection}: schema, binding against
 * the connector, descriptor hash over the pack's definition with the overrides applied.
 *
 * <p>Block by default: only the tools named in {@code include} are loaded, and {@code "*"} is
 * refused, so a tool added to a pack in a later version never reaches agents unreviewed. An
 * override may raise a tool's risk class but not lower it.
 *
 * <p>Problems inside a pack name the pack's file and line; problems in the entry name the
 * configuration's.
 */
final class PackSection {
  /**
   * The packs this version bundles. A pack is looked up by name as {@code packs/NAME.yaml} on the
   * class path (never by listing it), so a jar added to the class path can bring its own.
   */
  static final List<String> PACKS =
      List.of("hubspot-crm", "jira-cloud", "salesforce", "servicenow");

  private static final Set<String> KEYS = Set.of("pack", "connector", "include", "overrides");
  private static final Set<String> OVERRIDABLE = Set.of("risk", "result", "audit");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ConfigReader r;
  private final Map<String, ConnectorDraft> connectors;

  PackSection(ConfigReader r, Map<String, ConnectorDraft> connectors) {
    this.r = r;
    this.connectors = connectors;
  }

  /** Whether the {@code tools:} entry at {@code p} takes its tools from a pack. */
  static boolean isPackEntry(ConfigReader r, String p) {
    return r.at(p).isObject() && r.at(p).has("pack");
  }

  /**
   * One included tool: where it is in the pack and in {@code include}, and which fields are
   * overridden.
   */
  private record Slot(String name, int packIndex, int includeIndex, Set<String> overridden) {}

  /**
   * The entry at {@code p}; tool names join {@code names}, and a name already there is a problem.
   */
  List<CatalogEntry> read(String p, Set<String> names) {
    r.onlyKeys(p, KEYS);
    Optional<String> packName =
        r.matching(p + "/pack", true, ConfigLoader.ID, ConfigLoader.ID_RULE)
            .filter(
                n -> {
                  if (PackSection.class.getResource(resource(n)) == null) {
                    r.problem(
                        p + "/pack",
                        "no connector pack named '"
                            + n
                            + "'; this version has: "
                            + String.join(", ", PACKS));
                    return false;
                  }
                  return true;
                });
    Optional<String> connector =
        r.string(p + "/connector", true)
            .filter(
                c -> {
                  ConnectorDraft draft = connectors.get(c);
                  if (draft == null) {
                    r.problem(p + "/connector", "no connector named '" + c + "' is defined");
                    return false;
                  }
                  if (!draft.bindingKey().equals("http")) {
                    r.problem(
                        p + "/connector",
                        "connector '"
                            + c
                            + "' is a "
                            + draft.bindingKey()
                            + " connector; connector packs bind their tools to an http connector");
                    return false;
                  }
                  return true;
                });
    List<String> include = include(p + "/include");
    Optional<Pack> pack = packName.flatMap(this::load);
    Map<String, Integer> inPack = new HashMap<>();
    pack.ifPresent(k -> k.toolNames().forEach((name, index) -> inPack.put(name, index)));
    Map<String, Set<String>> overridden =
        overrides(p + "/overrides", include, pack.orElse(null), inPack);
    if (pack.isEmpty() || connector.isEmpty()) {
      return List.of();
    }
    List<Slot> slots = new ArrayList<>();
    for (int k = 0; k < include.size(); k++) {
      String name = include.get(k);
      Integer j = inPack.get(name);
      if (name.isEmpty()) {
        continue;
      }
      if (j == null) {
        r.problem(
            p + "/include/" + k,
            "pack '"
                + packName.get()
                + "' has no tool '"
                + name
                + "'; it has: "
                + String.join(", ", pack.get().toolNames().keySet()));
      } else {
        slots.add(new Slot(name, j, k, overridden.getOrDefault(name, Set.of())));
      }
    }
    ArrayNode tools = NODES.arrayNode();
    for (Slot s : slots) {
      ObjectNode tool = ((ObjectNode) pack.get().reader().at("/tools/" + s.packIndex())).deepCopy();
      tool.put("connector", connector.get());
      for (String key : s.overridden()) {
        tool.set(key, r.at(overridePointer(p, s.name(), "/" + key)).deepCopy());
      }
      tools.add(tool);
    }
    ObjectNode root = NODES.objectNode();
    root.set("tools", tools);
    ConfigReader overlay = new ConfigReader(root, origins(p, pack.get(), slots), r.problems());
    List<CatalogEntry> out = new ArrayList<>();
    for (CatalogEntry e : new ToolSection(overlay, connectors).read()) {
      String name = e.tool().name();
      if (!names.add(name)) {
        Slot s = slots.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        r.problem(p + "/include/" + s.includeIndex(), "tool '" + name + "' is defined twice");
      } else {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * The names in {@code include}, index for index; a refused entry is "" so that no tool matches
   * it.
   */
  private List<String> include(String p) {
    int n = r.list(p, true);
    if (n == 0 && r.at(p).isArray()) {
      r.problem(p, "must list at least one tool");
    }
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      String name = r.string(p + "/" + k, true).orElse("");
      if (name.contains("*")) {
        r.problem(
            p + "/" + k,
            "'"
                + name
                + "': list each tool by name; a wildcard would take in tools a later"
                + " version adds to the pack, unreviewed");
        name = "";
      } else if (!name.isEmpty() && !seen.add(name)) {
        r.problem(p + "/" + k, "'" + name + "' is listed twice");
        name = "";
      }
      out.add(name);
    }
    return out;
  }

  /** {@code overrides: {tool: {risk, result, audit}}}: the overridden keys of each tool. */
  private Map<String, Set<String>> overrides(
      String p, List<String> include, Pack pack, Map<String, Integer> inPack) {
    Map<String, Set<String>> out = new HashMap<>();
    if (!r.isObject(p, false)) {
      return out;
    }
    for (String tool : r.at(p).propertyNames()) {
      String at = p + "/" + tool.replace("~", "~0").replace("/", "~1");
      if (!include.contains(tool)) {
        r.problem(at, "'" + tool + "' is not in include; only included tools can be overridden");
        continue;
      }
      if (!r.isObject(at, true)) {
        continue;
      }
      r.onlyKeys(at, OVERRIDABLE);
      Set<String> keys = new HashSet<>();
      r.at(at)
          .propertyNames()
          .forEach(
              k -> {
                if (OVERRIDABLE.contains(k)) {
                  keys.add(k);
                }
              });
      if (keys.contains("risk") && pack != null && inPack.containsKey(tool)) {
        risk(r.at(at + "/risk"))
            .ifPresent(
                raised ->
                    risk(pack.reader().at("/tools/" + inPack.get(tool) + "/risk"))
                        .filter(own -> raised.compareTo(own) < 0)
                        .ifPresent(
                            own ->
                                r.problem(
                                    at + "/risk",
                                    "cannot lower the pack's risk class '"
                                        + own.wireName()
                                        + "' to '"
                                        + raised.wireName()
                                        + "'; an override may only raise it")));
      }
      out.put(tool, keys);
    }
    return out;
  }

  /** The risk class written at a node, if it is one; {@link ToolSection} reports what is not. */
  private static Optional<RiskClass> risk(JsonNode node) {
    for (RiskClass c : RiskClass.values()) {
      if (node.isString() && c.wireName().equalsIgnoreCase(node.asString())) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private static String overridePointer(String p, String tool, String rest) {
    return p + "/overrides/" + tool.replace("~", "~0").replace("/", "~1") + rest;
  }

  /**
   * Where each node of the assembled tools came from: {@code connector} and overridden fields from
   * the configuration's entry, everything else from the pack's file.
   */
  private ConfigReader.Origins origins(String p, Pack pack, List<Slot> slots) {
    return pointer -> {
      if (!pointer.startsWith("/tools/")) {
        return r.origin(p);
      }
      String tail = pointer.substring("/tools/".length());
      int slash = tail.indexOf('/');
      Slot s = slots.get(Integer.parseInt(slash < 0 ? tail : tail.substring(0, slash)));
      String rest = slash < 0 ? "" : tail.substring(slash);
      if (rest.equals("/connector") || rest.startsWith("/connector/")) {
        return r.origin(p + "/connector");
      }
      for (String key : s.overridden()) {
        if (rest.equals("/" + key) || rest.startsWith("/" + key + "/")) {
          return r.origin(overridePointer(p, s.name(), rest));
        }
      }
      return pack.reader().origin("/tools/" + s.packIndex() + rest);
    };
  }

  /**
   * A pack read from its file: its reader (problems name the pack's file) and its tools by name.
   */
  private record Pack(ConfigReader reader, Map<String, Integer> toolNames) {}

  private static String resource(String name) {
    return "/packs/" + name + ".yaml";
  }

  private Optional<Pack> load(String name) {
    Path file = Path.of("packs", name + ".yaml");
    String text;
    try (InputStream in = PackSection.class.getResourceAsStream(resource(name))) {
      if (in == null) {
        throw new IOException("not on the class path");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      r.problems()
          .add(new ConfigException.Problem(file, 0, "", "cannot read the pack: " + e.getMessage()));
      return Optional.empty();
    }
    LocatedYaml yaml;
    try {
      yaml = LocatedYaml.parse(text);
    } catch (ConfigException.Problem e) {
      r.problems().add(new ConfigException.Problem(file, e.line(), "", e.getMessage()));
      return Optional.empty();
    }
    ConfigReader k = new ConfigReader(yaml, file, r.problems());
    int before = k.problems().size();
    k.onlyKeys("", Set.of("apiVersion", "kind", "name", "description", "tools"));
    k.string("/apiVersion", true)
        .filter(v -> !v.equals(ConfigLoader.API_VERSION))
        .ifPresent(
            v ->
                k.problem(
                    "/apiVersion",
                    "'" + v + "' is not supported; use " + ConfigLoader.API_VERSION));
    k.string("/kind", true)
        .filter(v -> !v.equals("ToolPack"))
        .ifPresent(v -> k.problem("/kind", "'" + v + "' is not supported; use ToolPack"));
    k.string("/name", true)
        .filter(v -> !v.equals(name))
        .ifPresent(
            v -> k.problem("/name", "'" + v + "' must be the pack's file name, '" + name + "'"));
    k.string("/description", true);
    Map<String, Integer> tools = new LinkedHashMap<>();
    int n = k.list("/tools", true);
    for (int j = 0; j < n; j++) {
      String t = "/tools/" + j;
      if (!k.isObject(t, true)) {
        continue;
      }
      for (String field : List.of("connector", "pack")) {
        if (!k.at(t + "/" + field).isMissingNode()) {
          k.problem(
              t + "/" + field,
              "a pack's tool has no " + field + "; the configuration that includes it names it");
        }
      }
      Optional<String> tool = k.string(t + "/name", true);
      if (tool.isPresent() && tools.putIfAbsent(tool.get(), j) != null) {
        k.problem(t + "/name", "tool '" + tool.get() + "' is defined twice");
      }
    }
    return k.problems().size() == before ? Optional.of(new Pack(k, tools)) : Optional.empty();
  }
}
