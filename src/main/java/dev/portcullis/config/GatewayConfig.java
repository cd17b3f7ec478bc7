package dev.portcullis.config;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.identity.AgentSpec;
import dev.portcullis.identity.IssuerSpec;
import dev.portcullis.policy.CompiledPolicy;
import java.nio.file.Path;
import java.util.List;

/**
 * One loaded, validated, sealed configuration. {@code hash} is the SHA-256 of the file's text and
 * is stamped on every audit record made under it; {@code policy} carries its own version, the hash
 * of the policy files, and can be reloaded from {@code policyPaths} on its own. {@code
 * notifyChannels} lists the channels that tell approvers a call is parked ({@code
 * approvals.notify}); {@code durability} when an executed call's ending must be durable ({@code
 * audit.durability}); {@code store} where the gateway keeps its state ({@code store}).
 */
public record GatewayConfig(
    Path source,
    String hash,
    ServerSettings server,
    VaultSettings vault,
    List<IssuerSpec> issuers,
    List<AgentSpec> agents,
    List<ConnectorSpec> connectors,
    List<CatalogEntry> tools,
    List<Path> policyPaths,
    CompiledPolicy policy,
    List<dev.portcullis.identity.ApproverSpec> approvers,
    dev.portcullis.approval.ApprovalSettings approvals,
    List<dev.portcullis.catalog.Reversal> reversals,
    List<dev.portcullis.approval.notify.ChannelSpec> notifyChannels,
    dev.portcullis.invocation.Durability durability,
    StoreSettings store) {

  public GatewayConfig {
    issuers = List.copyOf(issuers);
    agents = List.copyOf(agents);
    connectors = List.copyOf(connectors);
    tools = List.copyOf(tools);
    policyPaths = List.copyOf(policyPaths);
    approvers = List.copyOf(approvers);
    java.util.Objects.requireNonNull(approvals, "approvals");
    reversals = List.copyOf(reversals);
    notifyChannels = List.copyOf(notifyChannels);
    java.util.Objects.requireNonNull(durability, "durability");
    java.util.Objects.requireNonNull(store, "store");
  }

  /** What policy needs to know of every tool, upstream MCP tools included. */
  public List<dev.portcullis.policy.ToolFacts> toolFacts() {
    return ConfigLoader.toolFacts(tools, connectors);
  }

  /** The tools of upstream MCP servers the configuration lets join the catalog. */
  public List<dev.portcullis.catalog.UpstreamToolSpec> upstreamTools() {
    return connectors.stream()
        .flatMap(
            c ->
                c instanceof McpConnectorSpec m
                    ? m.tools().stream()
                    : java.util.stream.Stream.empty())
        .toList();
  }
}
