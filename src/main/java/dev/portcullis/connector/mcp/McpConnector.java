package dev.portcullis.connector.mcp;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.connector.Excerpt;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.vault.Secret;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Carries an allowed call to a tool of an upstream MCP server. The catalog names the tool {@code
 * connector.tool}; the upstream sees its own name, the validated arguments and nothing else of the
 * agent's request.
 *
 * <p>Result: structured content when the upstream gives it, else its content blocks; an upstream
 * {@code isError} result becomes a typed failure. Any echo of the upstream credential is masked.
 *
 * <p>Failure: every upstream problem is a typed {@link ConnectorResult.Failure} naming the
 * connector, and {@link #invoke} never throws; a call is never retried (a tool call may be a
 * write). After {@link #close}, a call fails as unavailable and opens no new session.
 */
public final class McpConnector implements Connector {
  private static final Logger LOG = LoggerFactory.getLogger(McpConnector.class);
  private static final int MAX_ERROR_EXCERPT = 300;
  private static final io.modelcontextprotocol.json.McpJsonMapper MCP_JSON =
      io.modelcontextprotocol.json.McpJsonDefaults.getMapper();

  private final McpUpstream upstream;
  private final Map<String, String> upstreamNames;
  private final JsonMapper json;

  /** {@code upstreamNames}: catalog name ({@code github.create_issue}) to upstream name. */
  public McpConnector(McpUpstream upstream, Map<String, String> upstreamNames, JsonMapper json) {
    this.upstream = upstream;
    this.upstreamNames = Map.copyOf(upstreamNames);
    this.json = json;
  }

  @Override
  public String name() {
    return upstream.connector();
  }

  public McpUpstream upstream() {
    return upstream;
  }

  @Override
  public ConnectorResult invoke(Invocation invocation) {
    String tool = upstreamNames.get(invocation.toolName());
    if (tool == null) {
      return new ConnectorResult.Failure(
          FailureKind.INTERNAL,
          "connector " + name() + " has no operation for " + invocation.toolName());
    }
    if (!invocation.arguments().isObject()) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_REJECTED,
          "connector "
              + name()
              + " refused the call: its arguments must be a JSON object; nothing was sent");
    }
    McpSchema.CallToolResult result;
    try {
      result = upstream.call(tool, invocation.arguments());
    } catch (UpstreamException.Credential e) {
      LOG.warn("connector {}: {}", name(), e.getMessage());
      return new ConnectorResult.Failure(
          FailureKind.CREDENTIAL_UNAVAILABLE,
          "the credential for connector " + name() + " is unavailable");
    } catch (UpstreamException.Refused e) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_ERROR, e.getMessage(), credential(false));
    } catch (UpstreamException.Timeout e) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_TIMEOUT, e.getMessage(), credential(false));
    } catch (UpstreamException e) {
      LOG.warn("connector {}: {}", name(), e.getMessage());
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_UNREACHABLE,
          "upstream MCP server " + name() + " is unavailable",
          credential(false));
    } catch (RuntimeException e) {
      // The SDK's own failures outside a request (building a transport, a broken session's state):
      // still a result.
      LOG.warn(
          "connector {}: the MCP client failed: {}",
          name(),
          upstream.mask(String.valueOf(e.getMessage())));
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_ERROR,
          "upstream MCP server " + name() + " failed in the client",
          credential(false));
    }
    // The whole result as the SDK writes it (its mapper knows the content blocks' "type" ids),
    // masked as text once, read once.
    String raw;
    try {
      raw = MCP_JSON.writeValueAsString(result);
    } catch (java.io.IOException e) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_ERROR, "upstream " + name() + " gave an unreadable result");
    }
    if (raw.length() > upstream.limits().maxMessageBytes()) {
      // Over HTTP the client refuses such a message while reading it; over stdio it is refused
      // here.
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_ERROR, tooLarge(tool), credential(false));
    }
    String text = upstream.mask(raw);
    boolean masked = !text.equals(raw);
    if (masked) {
      LOG.warn(
          "connector {}: the upstream echoed its credential; masked before it left the gateway",
          name());
    }
    JsonNode wire;
    try {
      wire = json.readTree(text);
    } catch (JacksonException e) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_ERROR, "upstream " + name() + " gave an unreadable result");
    }
    boolean error = Boolean.TRUE.equals(result.isError());
    JsonNode value = body(wire, error);
    if (error) {
      String detail = errorText(value);
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_REJECTED,
          "upstream " + name() + " tool " + tool + " reported an error: " + detail,
          credential(masked));
    }
    return new ConnectorResult.Success(value, credential(masked));
  }

  private String tooLarge(String tool) {
    return "upstream "
        + name()
        + " tool "
        + tool
        + " answered more than "
        + upstream.limits().maxMessageBytes()
        + " bytes (maxMessageBytes); the result is refused";
  }

  /**
   * The tool's answer as one JSON value: structured content when given, else the content blocks.
   */
  private JsonNode body(JsonNode wire, boolean error) {
    JsonNode structured = wire.path("structuredContent");
    if (!error && !structured.isMissingNode() && !structured.isNull()) {
      return structured;
    }
    ObjectNode out = json.createObjectNode();
    out.set(
        "content", wire.path("content").isArray() ? wire.path("content") : json.createArrayNode());
    return out;
  }

  private static String errorText(JsonNode value) {
    StringBuilder b = new StringBuilder();
    value
        .path("content")
        .forEach(
            c -> {
              if (c.path("type").asString("").equals("text")) {
                b.append(c.path("text").asString("")).append(' ');
              }
            });
    String s = b.toString().strip();
    if (s.isEmpty()) {
      s = "(no text)";
    }
    return Excerpt.of(s, MAX_ERROR_EXCERPT);
  }

  private CredentialUse credential(boolean masked) {
    Optional<Secret> s = upstream.credential();
    return s.map(secret -> new CredentialUse(secret.ref().toString(), secret.version(), masked))
        .orElse(null);
  }

  @Override
  public void close() {
    upstream.close();
  }
}
