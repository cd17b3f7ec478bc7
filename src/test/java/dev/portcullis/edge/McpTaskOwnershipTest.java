package dev.portcullis.edge;

import static dev.portcullis.testing.McpTaskCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.McpTaskCalls;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An MCP task belongs to the agent and the user it was made for: the same agent acting for another
 * user, or for nobody, can neither read nor cancel it, and gets the answer an unknown task gets.
 * Agents and users authenticate with tokens from a real OIDC server; refunds need an approval here
 * (a policy file added to the identity test configuration).
 */
class McpTaskOwnershipTest {
  private static final String REFUND =
      "{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"parcel damaged\"}";
  private static final String USER_TOKEN = "Portcullis-User-Token";

  @TempDir static Path dir;
  static MockOAuth2Server idp;
  static GatewayFixture gateway;
  static McpTaskCalls mcp;

  @BeforeAll
  static void start() throws IOException {
    Path source = Path.of("src/test/resources/config");
    Path policies = Files.createDirectories(dir.resolve("config/identity-policies"));
    Files.copy(source.resolve("identity.yaml"), dir.resolve("config/identity.yaml"));
    Files.copy(source.resolve("identity-policies/rules.yaml"), policies.resolve("rules.yaml"));
    Files.writeString(
        policies.resolve("approvals.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: refunds-need-approval
            effect: require_approval
            target: {tools: [orders_refund]}
        """,
        StandardCharsets.UTF_8);
    idp = new MockOAuth2Server();
    idp.start();
    gateway =
        GatewayFixture.start(
            dir.resolve("data"),
            dir.resolve("config/identity.yaml"),
            GatewayFixture.oidcIssuers(idp));
    mcp = new McpTaskCalls(gateway.baseUri());
  }

  @AfterAll
  static void stop() {
    if (mcp != null) {
      mcp.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    idp.shutdown();
  }

  private static String agentToken() {
    return idp.issueToken("agents", "support-client", "portcullis", Map.of(), 3600).serialize();
  }

  private static String userToken(String user) {
    return idp.issueToken(
            "users",
            user,
            "portcullis",
            Map.of("tenant", "acme", "roles", List.of("finance")),
            3600)
        .serialize();
  }

  @Test
  void anotherUserOfTheSameAgentOrNoUserFindsNoTaskAndCannotCancelIt() {
    String agent = agentToken();
    HttpResponse<String> made =
        mcp.call(agent, "orders_refund", REFUND, true, USER_TOKEN, userToken("olivia"));
    JsonNode task = json(made).path("result");
    assertThat(task.path("resultType").asString()).as(made.body()).isEqualTo("task");
    String taskId = task.path("taskId").asString();
    String unknown = "t1.01900000-0000-7000-8000-000000000000." + "A".repeat(43);

    JsonNode asOmar =
        json(mcp.task(agent, "tasks/get", taskId, true, USER_TOKEN, userToken("omar")));
    JsonNode asNobody = json(mcp.task(agent, "tasks/get", taskId, true));
    JsonNode missing =
        json(mcp.task(agent, "tasks/get", unknown, true, USER_TOKEN, userToken("omar")));
    JsonNode cancelAsOmar =
        json(mcp.task(agent, "tasks/cancel", taskId, true, USER_TOKEN, userToken("omar")));
    JsonNode cancelAsNobody = json(mcp.task(agent, "tasks/cancel", taskId, true));

    assertThat(asOmar.path("error").path("code").asInt()).as(asOmar.toString()).isEqualTo(-32602);
    assertThat(asOmar.path("error"))
        .isEqualTo(asNobody.path("error"))
        .isEqualTo(missing.path("error"))
        .isEqualTo(cancelAsOmar.path("error"))
        .isEqualTo(cancelAsNobody.path("error"));
    JsonNode asOlivia =
        json(mcp.task(agent, "tasks/get", taskId, true, USER_TOKEN, userToken("olivia")));
    assertThat(asOlivia.at("/result/status").asString())
        .as("the owner's task is untouched")
        .isEqualTo("working");
    JsonNode cancelled =
        json(mcp.task(agent, "tasks/cancel", taskId, true, USER_TOKEN, userToken("olivia")));
    assertThat(cancelled.path("error").isMissingNode()).as(cancelled.toString()).isTrue();
    assertThat(gateway.acme().requestLog()).isEmpty();
  }
}
