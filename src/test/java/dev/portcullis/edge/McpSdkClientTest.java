package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.McpClients;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MCP door as a real client sees it: the MCP Java SDK over streamable HTTP, against a real
 * gateway in front of the real Acme sample. Acme's request log proves what reached the upstream.
 */
class McpSdkClientTest {
  private static final List<String> SUPPORT_TOOLS =
      List.of(
          "crm_find_customer_by_email",
          "crm_get_customer",
          "orders_get",
          "orders_list_for_customer",
          "portcullis_outcome",
          "tickets_create");
  private static final List<String> BILLING_TOOLS =
      List.of("orders_get", "orders_list_for_customer", "orders_refund", "portcullis_outcome");

  @RegisterExtension static final GatewayExtension GATEWAY = GatewayExtension.demo();
  static McpSyncClient support;
  static McpSyncClient billing;
  private final GatewayFixture gateway;

  McpSdkClientTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  @BeforeAll
  static void connectClients() {
    support = connect(GatewayFixture.SUPPORT_KEY);
    billing = connect(GatewayFixture.BILLING_KEY);
  }

  @AfterAll
  static void stop() {
    if (support != null) {
      support.close();
    }
    if (billing != null) {
      billing.close();
    }
  }

  @Test
  void initializeNegotiatesLatestProtocolAndDeclaresTools() {
    try (McpSyncClient client = client(GatewayFixture.SUPPORT_KEY)) {
      McpSchema.InitializeResult init = client.initialize();

      assertThat(init.protocolVersion()).isEqualTo("2025-11-25");
      assertThat(init.serverInfo().name()).isEqualTo("portcullis");
      assertThat(init.capabilities().tools()).isNotNull();
      assertThat(init.instructions()).contains("Portcullis");
      assertThat(client.ping()).isNotNull();
    }
  }

  @Test
  void listsOnlyTheToolsGrantedToSupport() {
    assertThat(toolNames(support)).containsExactlyElementsOf(SUPPORT_TOOLS);
  }

  @Test
  void listsOnlyTheToolsGrantedToBilling() {
    assertThat(toolNames(billing)).containsExactlyElementsOf(BILLING_TOOLS);
  }

  @Test
  void listedToolCarriesItsInputSchemaAndAnnotations() {
    McpSchema.Tool tool =
        support.listTools().tools().stream()
            .filter(t -> t.name().equals("crm_get_customer"))
            .findFirst()
            .orElseThrow();

    assertThat(tool.title()).isEqualTo("Look up a customer");
    assertThat(tool.inputSchema())
        .containsEntry("type", "object")
        .containsEntry("required", List.of("customerId"));
    assertThat(tool.annotations().readOnlyHint()).isTrue();
  }

  @Test
  void allowedCallReturnsTextAndStructuredContent() {
    McpSchema.CallToolResult r = call(support, "crm_get_customer", Map.of("customerId", "C-1001"));

    assertThat(r.isError()).isFalse();
    assertThat(text(r)).contains("\"name\":\"Maria Keller\"");
    assertThat(r.structuredContent())
        .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
        .containsEntry("id", "C-1001")
        .containsEntry("name", "Maria Keller")
        .containsEntry("email", "[redacted:email]")
        .containsEntry("phone", "[redacted:phone]");
    assertThat(r.meta()).containsKeys("portcullis/invocationId", "portcullis/traceId");
    assertThat(gateway.acme().requestLog()).containsExactly("GET /api/customers/C-1001");
  }

  @Test
  void invalidArgumentsAreRefusedWithEveryViolationAndNeverReachAcme() {
    McpSchema.CallToolResult r =
        call(support, "crm_get_customer", Map.of("customerId", 1001, "includeSecrets", true));

    assertThat(r.isError()).isTrue();
    Map<String, Object> error = error(r);
    assertThat((String) error.get("type")).endsWith("invalid-arguments");
    assertThat(error.get("violations"))
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .hasSizeGreaterThanOrEqualTo(2)
        .anySatisfy(v -> assertThat(v.toString()).contains("customerId"))
        .anySatisfy(v -> assertThat(v.toString()).contains("includeSecrets"));
    assertThat(error).containsKeys("invocationId", "traceId");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void toolOutsideTheAgentsGrantIsDeniedByPolicyAndNeverReachesAcme() {
    McpSchema.CallToolResult r =
        call(
            support,
            "orders_refund",
            Map.of("orderId", "O-5001", "amount", 10, "reason", "customer asked"));

    assertThat(r.isError()).isTrue();
    assertThat((String) error(r).get("type")).endsWith("denied-by-policy");
    assertThat(text(r)).isNotBlank();
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void billingRefundWithinTheConditionIsAllowed() {
    McpSchema.CallToolResult r =
        call(
            billing,
            "orders_refund",
            Map.of("orderId", "O-5001", "amount", 50, "reason", "parcel damaged"));

    assertThat(r.isError()).as(text(r)).isFalse();
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void supportUrgentTicketIsDeniedByTheConditionAndNeverReachesAcme() {
    McpSchema.CallToolResult r =
        call(
            support,
            "tickets_create",
            Map.of(
                "customerId",
                "C-1001",
                "subject",
                "Refund now",
                "body",
                "The customer demands it.",
                "priority",
                "urgent"));

    assertThat(r.isError()).isTrue();
    assertThat((String) error(r).get("type")).endsWith("denied-by-policy");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void supportNormalTicketIsOpenedInAcme() {
    McpSchema.CallToolResult r =
        call(
            support,
            "tickets_create",
            Map.of(
                "customerId",
                "C-1001",
                "subject",
                "Lid broken",
                "body",
                "Order O-5001 arrived damaged.",
                "priority",
                "normal"));

    assertThat(r.isError()).as(text(r)).isFalse();
    assertThat(text(r)).contains("\"status\":\"open\"");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/tickets");
  }

  @Test
  void unknownToolIsAnInvalidParamsProtocolError() {
    McpError e =
        catchThrowableOfType(
            McpError.class,
            () -> call(support, "crm_delete_customer", Map.of("customerId", "C-1001")));

    assertThat(e.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS);
    assertThat(e.getJsonRpcError().message()).isEqualTo("Unknown tool: crm_delete_customer");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  private static McpSyncClient connect(String key) {
    McpSyncClient client = client(key);
    client.initialize();
    return client;
  }

  private static McpSyncClient client(String key) {
    return McpClients.of(GATEWAY.fixture().baseUri(), key, "portcullis-test-agent");
  }

  private static McpSchema.CallToolResult call(
      McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(new McpSchema.CallToolRequest(tool, args, null));
  }

  private static List<String> toolNames(McpSyncClient client) {
    return client.listTools().tools().stream().map(McpSchema.Tool::name).sorted().toList();
  }

  private static String text(McpSchema.CallToolResult r) {
    return r.content().stream()
        .filter(c -> c instanceof McpSchema.TextContent)
        .map(c -> ((McpSchema.TextContent) c).text())
        .findFirst()
        .orElse("");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> error(McpSchema.CallToolResult r) {
    assertThat(r.structuredContent()).isInstanceOf(Map.class);
    Object error = ((Map<String, Object>) r.structuredContent()).get("error");
    assertThat(error).isInstanceOf(Map.class);
    return (Map<String, Object>) error;
  }
}
