package dev.portcullis.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A gateway configuration in {@code dir} for tests and benchmarks of upstream MCP servers: the
 * demo's support-assistant agent (key {@link GatewayFixture#SUPPORT_KEY}), one {@code type: mcp}
 * connector written by the caller, and a policy permitting the agent every tool of it.
 */
public final class UpstreamGatewayConfig {
  private UpstreamGatewayConfig() {}

  /**
   * Writes {@code dir/portcullis.yaml} and {@code dir/policies/}; {@code connector} is the YAML of
   * one connector list entry (starting {@code - name: NAME}), indented as under {@code
   * connectors:}.
   */
  public static Path write(Path dir, String name, String connector) throws IOException {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/" + name + ".yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: support-%1$s
            description: Support may use the %1$s tools.
            effect: permit
            target: {agents: [support-assistant], tools: ["%1$s.*"]}
        """
            .formatted(name),
        StandardCharsets.UTF_8);
    Path config = dir.resolve("portcullis.yaml");
    Files.writeString(
        config,
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: Gateway
        agents:
          - id: support-assistant
            tenant: acme
            keys: [sha256:cfc5abe5ab89535cafe1ded4d765d9d3a2e8f2d62682b8bea011bd51d96abef9]
        connectors:
        %s
        tools: []
        policies: [policies]
        """
            .formatted(connector.stripTrailing()),
        StandardCharsets.UTF_8);
    return config;
  }
}
