package dev.portcullis.packs;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.HttpConnectorSpec;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.connector.http.HttpConnector;
import dev.portcullis.testing.Invocations;
import dev.portcullis.vault.SecretSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A configuration that includes a pack, loaded by the real loader, and the real HTTP connector it
 * describes: a call is validated against the tool's schema (as the gateway's validate stage does)
 * and then goes through the connector to the vendor stand-in.
 */
final class PackRig {
  private final GatewayConfig config;
  private final Map<String, HttpConnector> connectors = new HashMap<>();

  private PackRig(GatewayConfig config, SecretSources secrets) {
    this.config = config;
    for (var spec : config.connectors()) {
      HttpConnectorSpec h = (HttpConnectorSpec) spec;
      connectors.put(
          h.name(),
          new HttpConnector(
              h.name(),
              h.baseUri(),
              h.auth(),
              h.operations(),
              secrets,
              h.connectTimeout(),
              Invocations.JSON));
    }
  }

  /**
   * Loads a configuration whose {@code connectors:} and {@code tools:} are {@code body}; {@code
   * env} fills {@code ${VAR}} and {@code env:NAME} secret references.
   */
  static PackRig load(Path dir, String body, Map<String, String> env) {
    String text =
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: Gateway
        agents:
          - id: bot
            keys: [sha256:1111111111111111111111111111111111111111111111111111111111111111]
        """
            + body;
    try {
      Path file = dir.resolve("portcullis.yaml");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return new PackRig(ConfigLoader.load(file, env), new SecretSources(env, dir));
    } catch (IOException | dev.portcullis.config.ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  CatalogEntry tool(String name) {
    return config.tools().stream()
        .filter(e -> e.tool().name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no tool " + name));
  }

  List<String> toolNames() {
    return config.tools().stream().map(e -> e.tool().name()).toList();
  }

  /** Why the gateway would refuse these arguments before any request; empty when it would not. */
  List<String> violations(String tool, String arguments) {
    return tool(tool).schema().violations(Invocations.JSON.readTree(arguments));
  }

  /** Validates, then calls the tool through its connector. */
  ConnectorResult call(String tool, String arguments) {
    List<String> violations = violations(tool, arguments);
    if (!violations.isEmpty()) {
      throw new AssertionError("the gateway would refuse " + arguments + ": " + violations);
    }
    CatalogEntry entry = tool(tool);
    return connectors
        .get(entry.tool().connector())
        .invoke(Invocations.call("bot", tool, arguments));
  }

  /** The value of a successful call; fails with the failure's detail otherwise. */
  tools.jackson.databind.JsonNode value(String tool, String arguments) {
    ConnectorResult r = call(tool, arguments);
    if (r instanceof ConnectorResult.Success s) {
      return s.value();
    }
    throw new AssertionError(tool + " failed: " + r);
  }
}
