package dev.portcullis.config;

import dev.portcullis.catalog.ArgumentSchema;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.DescriptorHash;
import dev.portcullis.catalog.JsonSchemaCompiler;
import dev.portcullis.catalog.RedactionKind;
import dev.portcullis.catalog.ResultFilter;
import dev.portcullis.catalog.RiskClass;
import dev.portcullis.catalog.ToolDefinition;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads {@code tools}: each tool's descriptor, its compiled input schema, and its binding to its
 * connector, which the connector's section checks ({@code http:}, {@code sql:}, …).
 *
 * <p>Block by default reaches arguments too: a schema that does not say otherwise gets {@code
 * additionalProperties: false}, so an argument no schema names is refused, and the agent is shown
 * that schema.
 */
final class ToolSection {
  /**
   * The name of the MCP door's built-in tool (edge.McpOutcomeTool), which no configured tool may
   * take.
   */
  static final String RESERVED = "portcullis_outcome";

  static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "title",
          "description",
          "version",
          "risk",
          "connector",
          "audit",
          "inputSchema",
          "result");

  private final ConfigReader r;
  private final Map<String, ConnectorDraft> connectors;
  private final JsonSchemaCompiler schemas = new JsonSchemaCompiler();

  ToolSection(ConfigReader r, Map<String, ConnectorDraft> connectors) {
    this.r = r;
    this.connectors = connectors;
  }

  /**
   * The tools under {@code tools}, then those the connectors imply ({@link ImpliedTools}), read the
   * same way. {@code tools} may be left out when the connectors imply some.
   */
  List<CatalogEntry> readAll() {
    boolean implied = !ImpliedTools.of(connectors).isEmpty();
    List<CatalogEntry> out =
        new ArrayList<>(implied && r.at("/tools").isMissingNode() ? List.of() : read());
    out.addAll(ImpliedTools.read(r, connectors));
    return out;
  }

  List<CatalogEntry> read() {
    List<CatalogEntry> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int n = r.list("/tools", true);
    for (int i = 0; i < n; i++) {
      String p = "/tools/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      if (PackSection.isPackEntry(r, p)) {
        out.addAll(new PackSection(r, connectors).read(p, names));
        continue;
      }
      Set<String> keys = new HashSet<>(KEYS);
      keys.addAll(ReversalSection.KEYS);
      ConnectorTypes.ALL.values().forEach(t -> keys.add(t.bindingKey()));
      r.onlyKeys(p, keys);
      Optional<String> name =
          r.matching(
              p + "/name",
              true,
              TOOL_NAME,
              "must be letters, digits, '_', '.' or '-' (at most 64)");
      name.filter(RESERVED::equals)
          .ifPresent(
              v ->
                  r.problem(
                      p + "/name",
                      "'"
                          + v
                          + "' is the name of a tool built into the gateway's MCP door; choose another name"));
      boolean twice = name.filter(v -> !names.add(v)).isPresent();
      if (twice) {
        r.problem(p + "/name", "tool '" + name.get() + "' is defined twice");
      }
      String title = r.string(p + "/title", (String) null);
      Optional<String> description = r.string(p + "/description", true);
      String version = r.string(p + "/version", "1");
      Optional<RiskClass> risk = r.choice(p + "/risk", true, RiskClass.class);
      Optional<String> connector = r.string(p + "/connector", true);
      connector
          .filter(c -> !connectors.containsKey(c))
          .ifPresent(c -> r.problem(p + "/connector", "no connector named '" + c + "' is defined"));
      boolean digestOnly = auditDigestOnly(p + "/audit");
      Optional<ObjectNode> schema = schema(p + "/inputSchema");
      Optional<ArgumentSchema> compiled =
          schema.flatMap(s -> compile(p + "/inputSchema", name.orElse("?"), s));
      ConnectorDraft draft = connector.map(connectors::get).orElse(null);
      String binding = draft == null ? null : draft.bindingKey();
      if (draft != null) {
        for (ConnectorTypes.Type other : ConnectorTypes.ALL.values()) {
          if (!other.bindingKey().equals(binding)
              && !r.at(p + "/" + other.bindingKey()).isMissingNode()) {
            r.problem(
                p + "/" + other.bindingKey(),
                "connector '"
                    + draft.name()
                    + "' is a "
                    + binding
                    + " connector; bind the tool with "
                    + binding
                    + ":");
          }
        }
      }
      boolean bound =
          draft != null
              && name.isPresent()
              && draft.bind(r, p + "/" + binding, name.get(), schema.orElse(null));
      Optional<ResultFilter> result = result(p + "/result");
      if (twice
          || name.isEmpty()
          || description.isEmpty()
          || risk.isEmpty()
          || !bound
          || compiled.isEmpty()
          || result.isEmpty()) {
        continue;
      }
      String hash =
          DescriptorHash.of(
              name.get(),
              title,
              description.get(),
              version,
              risk.get(),
              connector.get(),
              schema.get(),
              r.at(p + "/" + binding),
              r.at(p + "/result"));
      ToolDefinition tool =
          new ToolDefinition(
              name.get(),
              title,
              description.get(),
              version,
              risk.get(),
              connector.get(),
              schema.get(),
              digestOnly,
              hash);
      out.add(new CatalogEntry(tool, compiled.get(), result.get()));
    }
    return out;
  }

  /**
   * {@code result: {fields: [pointer…], redact: [kind…]}}; absent keys keep every field, redact
   * every kind.
   */
  private Optional<ResultFilter> result(String p) {
    return result(r, p);
  }

  /** Reads a tool's {@code result} block at {@code p}; shared by every way of declaring a tool. */
  static Optional<ResultFilter> result(ConfigReader r, String p) {
    if (!r.isObject(p, false)) {
      return Optional.of(ResultFilter.DEFAULT);
    }
    r.onlyKeys(p, Set.of("fields", "redact"));
    List<String> fields = null;
    if (!r.at(p + "/fields").isMissingNode()) {
      fields = r.strings(p + "/fields", false);
    }
    Set<RedactionKind> redact = EnumSet.allOf(RedactionKind.class);
    if (!r.at(p + "/redact").isMissingNode()) {
      redact = EnumSet.noneOf(RedactionKind.class);
      int n = r.list(p + "/redact", false);
      for (int i = 0; i < n; i++) {
        r.choice(p + "/redact/" + i, true, RedactionKind.class).ifPresent(redact::add);
      }
    }
    if (fields != null) {
      for (int i = 0; i < fields.size(); i++) {
        try {
          ResultFilter.compile(List.of(fields.get(i)), Set.of());
        } catch (IllegalArgumentException e) {
          r.problem(p + "/fields/" + i, e.getMessage());
          return Optional.empty();
        }
      }
    }
    return Optional.of(ResultFilter.compile(fields, redact));
  }

  private boolean auditDigestOnly(String p) {
    return auditDigestOnly(r, p);
  }

  /**
   * Reads a tool's {@code audit} block at {@code p}: whether arguments are recorded as a digest
   * only.
   */
  static boolean auditDigestOnly(ConfigReader r, String p) {
    if (!r.isObject(p, false)) {
      return false;
    }
    r.onlyKeys(p, Set.of("arguments"));
    String mode = r.string(p + "/arguments", "full");
    if (!mode.equals("full") && !mode.equals("digest")) {
      r.problem(p + "/arguments", "'" + mode + "' is not one of [full, digest]");
    }
    return mode.equals("digest");
  }

  private Optional<ObjectNode> schema(String p) {
    if (!r.isObject(p, true)) {
      return Optional.empty();
    }
    ObjectNode schema = ((ObjectNode) r.at(p)).deepCopy();
    if (!schema.has("additionalProperties") && !schema.has("unevaluatedProperties")) {
      schema.put("additionalProperties", false);
    }
    return Optional.of(schema);
  }

  private Optional<ArgumentSchema> compile(String p, String tool, ObjectNode schema) {
    try {
      return Optional.of(schemas.compile(tool, schema));
    } catch (IllegalArgumentException e) {
      r.problem(p, e.getMessage());
      return Optional.empty();
    }
  }
}
