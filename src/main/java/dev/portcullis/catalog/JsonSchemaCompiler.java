package dev.portcullis.catalog;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Compiles tool input schemas (JSON Schema 2020-12) at load. Compiled schemas are immutable and
 * shared by every call.
 *
 * <p>Security: {@code format} (email, uri, date-time, uuid, ipv4…) is asserted, not only annotated:
 * a value that breaks its declared format is a violation like any other. Schemas come from the
 * operator's configuration. A {@code $ref} to anything but the schema itself is refused at load, so
 * validation never fetches a remote document. Schemas of upstream MCP tools come from the upstream:
 * their {@code pattern}s run under a step budget ({@link BoundedRegularExpressions}), so none can
 * hold a validation thread.
 */
public final class JsonSchemaCompiler {
  // Draft 2020-12 makes `format` an annotation only; for a gateway in front of systems that trust
  // what they receive, a value that breaks its declared format is an invalid argument.
  private final SchemaRegistry registry =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          b ->
              b.schemaRegistryConfig(
                  SchemaRegistryConfig.builder()
                      .formatAssertionsEnabled(true)
                      .regularExpressionFactory(BoundedRegularExpressions.INSTANCE)
                      .build()));

  /**
   * Compiles {@code schema} for the tool {@code toolName}.
   *
   * @throws IllegalArgumentException with a readable message when the schema is not usable
   */
  public ArgumentSchema compile(String toolName, JsonNode schema) {
    if (!schema.isObject()) {
      throw new IllegalArgumentException("must be a JSON Schema object");
    }
    if (!schema.path("type").asString("object").equals("object")) {
      throw new IllegalArgumentException("type must be 'object': tool arguments are a JSON object");
    }
    refuseRemoteRefs(schema);
    Schema compiled;
    try {
      compiled = registry.getSchema(SchemaLocation.of("urn:portcullis:tool:" + toolName), schema);
      compiled.initializeValidators();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a valid JSON Schema: " + e.getMessage(), e);
    }
    return arguments -> violations(compiled, arguments);
  }

  private static List<String> violations(Schema schema, JsonNode arguments) {
    List<Error> errors;
    try {
      errors = schema.validate(arguments);
    } catch (BoundedRegularExpressions.BudgetExhausted e) {
      return List.of(
          "/: a pattern of the schema needs more than "
              + BoundedRegularExpressions.MAX_READS_PER_MATCH
              + " steps on these arguments; refused");
    }
    return errors.stream().map(JsonSchemaCompiler::describe).toList();
  }

  private static String describe(Error error) {
    String where = error.getInstanceLocation().toString();
    where = where.isEmpty() ? "/" : where;
    return where + ": " + error.getMessage().replaceFirst("^\\$[^:]*: ", "");
  }

  private static void refuseRemoteRefs(JsonNode node) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && !ref.asString("").startsWith("#")) {
        throw new IllegalArgumentException(
            "$ref '"
                + ref.asString("")
                + "' points outside the schema; only local refs (#/...) are allowed");
      }
      node.forEach(JsonSchemaCompiler::refuseRemoteRefs);
    } else if (node.isArray()) {
      node.forEach(JsonSchemaCompiler::refuseRemoteRefs);
    }
  }
}
