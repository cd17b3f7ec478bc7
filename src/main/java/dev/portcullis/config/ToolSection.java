package dev.portcullis.config;

import dev.portcullis.catalog.ArgumentSchema;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.DescriptorHash;
import dev.portcullis.catalog.JsonSchemaCompiler;
import dev.portcullis.catalog.RedactionKind;
import dev.portcullis.catalog.ResultFilter;
import dev.portcullis.catalog.RiskClass;
import dev.portcullis.catalog.ToolDefinition;
import dev.portcullis.connector.http.HttpOperation;
import dev.portcullis.connector.http.UrlTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads {@code tools}: each tool's descriptor, its compiled input schema and its HTTP operation
 * or SQL binding.
 *
 * <p>Block by default reaches arguments too: a schema that does not say otherwise gets {@code
 * additionalProperties: false}, so an argument no schema names is refused, and the agent is shown
 * that schema.
 */
final class ToolSection {
  static final Duration UNSET_TIMEOUT = Duration.ofNanos(1);
  static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  private final ConfigReader r;
  private final Set<String> connectorNames;
  private final JsonSchemaCompiler schemas = new JsonSchemaCompiler();
  private final Map<String, List<HttpOperation>> operations = new HashMap<>();
  private final Map<String, SqlSection.Draft> sqlConnectors;

  ToolSection(ConfigReader r, Set<String> connectorNames, Map<String, SqlSection.Draft> sqlConnectors) {
    this.r = r;
    this.connectorNames = connectorNames;
    this.sqlConnectors = sqlConnectors;
  }

  Map<String, List<HttpOperation>> operations() {
    return operations;
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
      r.onlyKeys(
          p,
          Set.of("name", "title", "description", "version", "risk", "connector", "audit", "http", "sql", "inputSchema",
              "result"));
      Optional<String> name =
          r.matching(p + "/name", true, TOOL_NAME, "must be letters, digits, '_', '.' or '-' (at most 64)");
      name.filter(v -> !names.add(v)).ifPresent(v -> r.problem(p + "/name", "tool '" + v + "' is defined twice"));
      String title = r.string(p + "/title", (String) null);
      Optional<String> description = r.string(p + "/description", true);
      String version = r.string(p + "/version", "1");
      Optional<RiskClass> risk = r.choice(p + "/risk", true, RiskClass.class);
      Optional<String> connector = r.string(p + "/connector", true);
      connector
          .filter(c -> !connectorNames.contains(c))
          .ifPresent(c -> r.problem(p + "/connector", "no connector named '" + c + "' is defined"));
      boolean digestOnly = auditDigestOnly(p + "/audit");
      Optional<ObjectNode> schema = schema(p + "/inputSchema");
      Optional<ArgumentSchema> compiled = schema.flatMap(s -> compile(p + "/inputSchema", name.orElse("?"), s));
      SqlSection.Draft sqlConnector = connector.map(sqlConnectors::get).orElse(null);
      String binding = sqlConnector != null ? "/sql" : "/http";
      String other = sqlConnector != null ? "/http" : "/sql";
      if (connector.isPresent() && connectorNames.contains(connector.get()) && !r.at(p + other).isMissingNode()) {
        r.problem(p + other, "connector '" + connector.get() + "' is a " + binding.substring(1)
            + " connector; bind the tool with " + binding.substring(1) + ":");
      }
      Optional<HttpOperation> op = Optional.empty();
      Optional<dev.portcullis.connector.sql.SqlOperation> sqlOp = Optional.empty();
      if (sqlConnector != null) {
        sqlOp = name.flatMap(v -> SqlSection.binding(r, p + "/sql", v, sqlConnector, schema.orElse(null)));
      } else {
        op = name.flatMap(v -> operation(p + "/http", v, schema.orElse(null)));
      }
      Optional<ResultFilter> result = result(p + "/result");
      if (name.isEmpty() || description.isEmpty() || risk.isEmpty() || connector.isEmpty()
          || compiled.isEmpty() || (op.isEmpty() && sqlOp.isEmpty()) || result.isEmpty()) {
        continue;
      }
      String hash =
          DescriptorHash.of(
              name.get(), title, description.get(), version, risk.get(), connector.get(), schema.get(), r.at(p + binding),
              r.at(p + "/result"));
      ToolDefinition tool =
          new ToolDefinition(
              name.get(), title, description.get(), version, risk.get(), connector.get(), schema.get(), digestOnly, hash);
      out.add(new CatalogEntry(tool, compiled.get(), result.get()));
      if (sqlConnector != null) {
        sqlConnector.operations.put(name.get(), sqlOp.get());
      } else {
        operations.computeIfAbsent(connector.get(), k -> new ArrayList<>()).add(op.get());
      }
    }
    return out;
  }

  /** {@code result: {fields: [pointer…], redact: [kind…]}}; absent keys keep every field, redact every kind. */
  private Optional<ResultFilter> result(String p) {
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

  private Optional<HttpOperation> operation(String p, String tool, ObjectNode schema) {
    if (!r.isObject(p, true)) {
      return Optional.empty();
    }
    r.onlyKeys(p, Set.of("method", "path", "query", "body", "timeout"));
    Optional<String> method = r.string(p + "/method", true).map(m -> m.toUpperCase(java.util.Locale.ROOT));
    method.filter(m -> !METHODS.contains(m))
        .ifPresent(m -> r.problem(p + "/method", "'" + m + "' is not one of " + METHODS.stream().sorted().toList()));
    Optional<UrlTemplate> path = r.string(p + "/path", true).flatMap(text -> {
      if (!text.startsWith("/")) {
        r.problem(p + "/path", "must start with '/' (it is appended to the connector's baseUrl)");
        return Optional.empty();
      }
      try {
        return Optional.of(UrlTemplate.parse(text));
      } catch (IllegalArgumentException e) {
        r.problem(p + "/path", e.getMessage());
        return Optional.empty();
      }
    });
    List<String> query = r.at(p + "/query").isMissingNode() ? List.of() : r.strings(p + "/query", false);
    boolean sendsBody = method.map(m -> !m.equals("GET") && !m.equals("DELETE")).orElse(false);
    String bodyText = r.string(p + "/body", sendsBody ? "arguments" : "none");
    HttpOperation.BodyMode body = HttpOperation.BodyMode.NONE;
    switch (bodyText) {
      case "none" -> {}
      case "arguments" -> {
        if (method.map(m -> m.equals("GET")).orElse(false)) {
          r.problem(p + "/body", "a GET request carries no body; send arguments as query parameters");
        }
        body = HttpOperation.BodyMode.REMAINING_ARGUMENTS;
      }
      default -> r.problem(p + "/body", "'" + bodyText + "' is not one of [none, arguments]");
    }
    Duration timeout = r.duration(p + "/timeout", UNSET_TIMEOUT);
    if (schema != null) {
      Set<String> properties = new HashSet<>();
      schema.path("properties").propertyNames().forEach(properties::add);
      Set<String> required = new HashSet<>();
      schema.path("required").forEach(v -> required.add(v.asString()));
      path.ifPresent(t -> t.variables().stream()
          .filter(v -> !required.contains(v) || !properties.contains(v))
          .forEach(v -> r.problem(p + "/path", "path variable {" + v
              + "} must be a required property of inputSchema, so every call can fill it")));
      for (int i = 0; i < query.size(); i++) {
        if (!properties.contains(query.get(i))) {
          r.problem(p + "/query/" + i, "'" + query.get(i) + "' is not a property of inputSchema");
        }
      }
    }
    if (method.isEmpty() || path.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new HttpOperation(tool, method.get(), path.get(), query, body, timeout));
  }
}
