package dev.portcullis.connector.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorContract;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.UpstreamMcpServer;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretUse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connector contract for {@link McpConnector} over streamable HTTP to a real MCP server (the
 * Java SDK's, on Jetty): both contract tools are the upstream's {@code lookup}, which answers
 * {@code {"id": …}} as structured content. The server fails with isError results, echoes the
 * Authorization header and counts the tool calls that reached it.
 *
 * <p>The bearer credential is connection-wide: {@link McpUpstream} resolves it for every HTTP
 * request of the session (initialize included) as {@code SecretUse.connector}, so it is not
 * declared per tool.
 */
class McpConnectorContractTest extends ConnectorContract {
  private UpstreamMcpServer upstream;
  private boolean unreachable;

  @BeforeEach
  void startUpstream() {
    upstream = UpstreamMcpServer.start(SECRET);
  }

  @AfterEach
  void stopUpstream() {
    upstream.close();
  }

  @Override
  protected Connector newConnector(SecretResolver secrets) throws IOException {
    URI url = upstream.url();
    if (unreachable) {
      try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        url = URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/mcp");
      }
    }
    McpUpstream client =
        new McpUpstream(
            CONNECTOR,
            new McpTransportSpec.Http(
                url, Optional.of("Authorization"), "Bearer ", Optional.of(SECRET_REF)),
            secrets,
            Duration.ofSeconds(10),
            Invocations.JSON,
            "contract");
    return new McpConnector(client, Map.of(TOOL, "lookup", OTHER_TOOL, "lookup"), Invocations.JSON);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.of(Capability.ECHOES_CREDENTIAL, Capability.COUNTS_REQUESTS);
  }

  @Override
  protected void makeUpstreamFail() {
    upstream.failEveryCall();
  }

  @Override
  protected void makeUpstreamUnreachable() {
    unreachable = true;
  }

  @Override
  protected void makeUpstreamEchoTheCredential() {
    upstream.echoTheAuthorization();
  }

  @Test
  void aCallAfterCloseOpensNoNewSessionAndFailsAsUnavailable() throws Exception {
    Connector c = newConnector(new Secrets());
    assertThat(c.invoke(Invocations.call("agent-contract", TOOL, "{\"id\":\"c-01\"}")))
        .isInstanceOf(ConnectorResult.Success.class);
    c.close();
    int authorizations = upstream.authorizations().size();

    ConnectorResult late = c.invoke(Invocations.call("agent-contract", TOOL, "{\"id\":\"c-02\"}"));

    assertThat(late)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_UNREACHABLE);
              assertThat(f.detail()).isEqualTo("upstream MCP server crm is unavailable");
            });
    assertThat(upstream.calls()).containsExactly("lookup");
    assertThat(upstream.authorizations()).as("not even an initialize").hasSize(authorizations);
    c.close();
  }

  @Test
  void argumentsThatAreNotAnObjectAreRefusedAndNothingIsSent() throws Exception {
    Connector c = newConnector(new Secrets());
    try {
      ConnectorResult r = c.invoke(Invocations.call("agent-contract", TOOL, "[\"c-01\"]"));

      assertThat(r)
          .isInstanceOfSatisfying(
              ConnectorResult.Failure.class,
              f -> {
                assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED);
                assertThat(f.detail())
                    .isEqualTo(
                        "connector crm refused the call: its arguments must be a JSON object; nothing was sent");
              });
      assertThat(upstream.calls()).isEmpty();
    } finally {
      c.close();
    }
  }

  /** A vault with the contract's credential, for the tests of this adapter alone. */
  private static final class Secrets implements SecretResolver {
    @Override
    public Secret resolve(SecretRef ref, SecretUse use) {
      return new Secret(ref, SECRET, SECRET_VERSION);
    }
  }

  /**
   * The tool calls that reached the upstream (a session also sends initialize and notifications).
   */
  @Override
  protected long requestsReceived() {
    return upstream.calls().size();
  }
}
