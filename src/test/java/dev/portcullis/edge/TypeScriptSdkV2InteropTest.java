package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.NodeTestPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official TypeScript SDK v2 client ({@code @modelcontextprotocol/client} 2.4.0) against a real
 * gateway, speaking the stateless revision 2026-07-28: pinned to it (it sends {@code
 * server/discover}, then every request with its version in {@code _meta} and the {@code Mcp-*}
 * headers, and never falls back) and in {@code auto} mode (it probes and must choose the stateless
 * revision). The tools it lists and calls go through the whole road: policy, redaction, the ledger.
 *
 * <p>Needs node and npm ({@link NodeTestPackages}); skipped without them, failed under CI.
 */
class TypeScriptSdkV2InteropTest {
  private static final long RUN_BOUND_SECONDS = 120;

  @TempDir static Path work;
  static Path node;
  static GatewayFixture gateway;
  static final JsonMapper json = JsonMapper.builder().build();

  @BeforeAll
  static void start() throws Exception {
    node = NodeTestPackages.installed("interop with the TypeScript SDK v2 client (needs node 20+)");
    gateway = GatewayFixture.start(work.resolve("data"));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @BeforeEach
  void forgetEarlierUpstreamRequests() {
    gateway.acme().clearRequestLog();
  }

  @Test
  void pinnedTo20260728ItDiscoversListsAndCallsStatelessly() throws Exception {
    JsonNode out =
        client(
            GatewayFixture.SUPPORT_KEY, "pin", "crm_get_customer", "{\"customerId\":\"C-1001\"}");

    assertThat(out.path("negotiated").asString()).as(out.toString()).isEqualTo("2026-07-28");
    List<JsonNode> posted = StreamSupport.stream(out.path("posted").spliterator(), false).toList();
    assertThat(posted).extracting(p -> p.path("method").asString()).doesNotContain("initialize");
    assertThat(posted.getFirst().path("method").asString()).isEqualTo("server/discover");
    assertThat(posted)
        .allSatisfy(
            p -> {
              assertThat(p.path("protocolVersion").asString()).isEqualTo("2026-07-28");
              assertThat(p.path("mcpMethod").asString()).isEqualTo(p.path("method").asString());
              assertThat(p.path("session").isNull()).isTrue();
            });
    assertSupportsToolsAndRedactedCustomer(out);
  }

  @Test
  void inAutoModeItChoosesTheStatelessRevision() throws Exception {
    JsonNode out =
        client(
            GatewayFixture.SUPPORT_KEY, "auto", "crm_get_customer", "{\"customerId\":\"C-1001\"}");

    assertThat(out.path("negotiated").asString()).as(out.toString()).isEqualTo("2026-07-28");
    assertSupportsToolsAndRedactedCustomer(out);
  }

  @Test
  void aCallPolicyDeniesIsAnErrorResultThatNeverReachesAcme() throws Exception {
    JsonNode out =
        client(
            GatewayFixture.BILLING_KEY,
            "pin",
            "orders_refund",
            "{\"orderId\":\"O-5001\",\"amount\":1500,\"reason\":\"goodwill\"}");

    assertThat(out.at("/result/isError").asBoolean()).as(out.toString()).isTrue();
    assertThat(out.at("/result/structuredContent/error/type").asString())
        .endsWith("denied-by-policy");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anUnknownToolIsInvalidParams() throws Exception {
    JsonNode out =
        client(
            GatewayFixture.SUPPORT_KEY, "pin", "crm_delete_customer", "{\"customerId\":\"C-1\"}");

    assertThat(out.path("callError").toString()).as(out.toString()).contains("Unknown tool");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  private static void assertSupportsToolsAndRedactedCustomer(JsonNode out) {
    assertThat(StreamSupport.stream(out.path("tools").spliterator(), false).map(JsonNode::asString))
        .as(out.toString())
        .containsExactlyInAnyOrder(
            "crm_find_customer_by_email",
            "crm_get_customer",
            "orders_get",
            "orders_list_for_customer",
            "portcullis_outcome",
            "tickets_create");
    assertThat(out.at("/result/isError").asBoolean()).as(out.toString()).isFalse();
    assertThat(out.at("/result/structuredContent/name").asString()).isEqualTo("Maria Keller");
    assertThat(out.at("/result/content/0/text").asString())
        .contains("[redacted:email]")
        .doesNotContain("maria.keller");
    assertThat(gateway.acme().requestLog()).containsExactly("GET /api/customers/C-1001");
  }

  private static JsonNode client(String key, String mode, String tool, String args)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(work, "client-v2", ".out");
    Path err = Files.createTempFile(work, "client-v2", ".err");
    List<String> command =
        List.of(
            node.toString(), "client-v2.mjs", gateway.baseUri() + "/mcp", key, mode, tool, args);
    Process p =
        new ProcessBuilder(command)
            .directory(NodeTestPackages.DIR.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("the v2 client did not finish within " + RUN_BOUND_SECONDS + " s: " + command);
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue())
        .as(
            "%s%nstdout:%n%s%nstderr:%n%s",
            command, stdout, Files.readString(err, StandardCharsets.UTF_8))
        .isZero();
    JsonNode result = json.readTree(stdout);
    assertThat(result.has("error")).as(result.toString()).isFalse();
    return result;
  }
}
