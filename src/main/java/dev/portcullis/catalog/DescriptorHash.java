package dev.portcullis.catalog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hash that pins a tool descriptor: SHA-256 over its canonical JSON (object keys sorted), so
 * any change to what an agent is shown, or to how the tool runs, gives a new hash.
 */
public final class DescriptorHash {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private DescriptorHash() {}

  /**
   * The hash of a tool's descriptor and binding, and its {@code result} filter configuration (null
   * when it has none: such a tool hashes as it did before filters existed, so its pin holds).
   */
  public static String of(
      String name,
      String title,
      String description,
      String version,
      RiskClass risk,
      String connector,
      JsonNode inputSchema,
      JsonNode binding,
      JsonNode result) {
    ObjectNode d = NODES.objectNode();
    d.put("name", name);
    d.put("title", title);
    d.put("description", description);
    d.put("version", version);
    d.put("risk", risk.wireName());
    d.put("connector", connector);
    d.set("inputSchema", inputSchema);
    d.set("binding", binding);
    if (result != null && !result.isMissingNode()) {
      d.set("result", result);
    }
    return sha256(JSON.writeValueAsString(canonical(d)));
  }

  /**
   * The fingerprint of an upstream MCP tool's descriptor, as pinned when an operator approves it.
   */
  public static String ofUpstream(JsonNode descriptor) {
    return sha256(JSON.writeValueAsString(canonical(descriptor)));
  }

  private static String sha256(String text) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** {@code node} with every object's keys sorted: the form that is hashed, and diffed. */
  public static JsonNode canonical(JsonNode node) {
    if (node == null) {
      return NODES.nullNode();
    }
    if (node.isObject()) {
      ObjectNode sorted = NODES.objectNode();
      for (String key : new TreeSet<>(node.propertyNames())) {
        sorted.set(key, canonical(node.get(key)));
      }
      return sorted;
    }
    if (node.isArray()) {
      ArrayNode array = NODES.arrayNode();
      node.forEach(n -> array.add(canonical(n)));
      return array;
    }
    return node;
  }
}
