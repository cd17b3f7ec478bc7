package dev.portcullis.config;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.identity.AgentSpec;
import dev.portcullis.policy.Grant;
import java.nio.file.Path;
import java.util.List;

/**
 * One loaded, validated, sealed configuration. {@code hash} is the SHA-256 of the file's bytes and
 * is stamped on every audit record made under it.
 */
public record GatewayConfig(
    Path source,
    String hash,
    ServerSettings server,
    List<AgentSpec> agents,
    List<HttpConnectorSpec> connectors,
    List<CatalogEntry> tools,
    List<Grant> grants) {

  public GatewayConfig {
    agents = List.copyOf(agents);
    connectors = List.copyOf(connectors);
    tools = List.copyOf(tools);
    grants = List.copyOf(grants);
  }
}
