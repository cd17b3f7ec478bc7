package dev.portcullis.config;

import tools.jackson.databind.JsonNode;

/**
 * An OpenAPI document read for import, with the line of each node so a problem can name where in
 * the document it is. Only references inside the document ({@code #/...}) are followed.
 */
final class OpenApiDocument {
  private final String name;
  private final LocatedYaml yaml;
  private final boolean openApi30;

  OpenApiDocument(String name, LocatedYaml yaml, boolean openApi30) {
    this.name = name;
    this.yaml = yaml;
    this.openApi30 = openApi30;
  }

  /** The document's file name, as problems show it. */
  String name() {
    return name;
  }

  JsonNode root() {
    return yaml.root();
  }

  /**
   * OpenAPI 3.0 schemas use {@code nullable} and boolean {@code exclusiveMinimum}; 3.1 uses JSON
   * Schema 2020-12.
   */
  boolean openApi30() {
    return openApi30;
  }

  /** A place in the document as people read it: {@code petstore.yaml:42 (paths./pets.get)}. */
  String where(String pointer) {
    int line = yaml.line(pointer);
    return name + (line > 0 ? ":" + line : "") + " (" + FieldPath.display(pointer) + ")";
  }

  /**
   * The node {@code ref} points at.
   *
   * @throws OpenApiOperation.Unimportable when it leaves the document or points at nothing
   */
  JsonNode target(String ref, String at) throws OpenApiOperation.Unimportable {
    if (!ref.startsWith("#/") && !ref.equals("#")) {
      throw new OpenApiOperation.Unimportable(
          "$ref '"
              + ref
              + "' at "
              + where(at)
              + " points outside the document;"
              + " only references inside it (#/...) are imported, and loading fetches nothing");
    }
    JsonNode target = yaml.root().at(pointer(ref));
    if (target.isMissingNode()) {
      throw new OpenApiOperation.Unimportable(
          "$ref '" + ref + "' at " + where(at) + " points at nothing");
    }
    return target;
  }

  /**
   * The JSON Pointer of a local {@code $ref} ({@code #/components/schemas/Pet}), its URI escapes
   * undone.
   */
  static String pointer(String ref) {
    return java.net.URLDecoder.decode(
        ref.substring(1).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }
}
