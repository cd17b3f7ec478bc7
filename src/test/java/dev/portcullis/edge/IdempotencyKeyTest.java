package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.TestClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Idempotency keys and the invocation resource against a real gateway and a real Acme: the table of
 * issue 5 ("same key and same request → the first outcome again"), and {@code GET
 * /v1/invocations/{id}} for the agent that made the call and for any other.
 */
class IdempotencyKeyTest {
  private static final String SUPPORT = GatewayFixture.SUPPORT_KEY;
  private static final String BILLING = GatewayFixture.BILLING_KEY;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String TICKET =
      "{\"arguments\":{\"customerId\":\"C-1001\",\"subject\":\"Parcel lost\",\"body\":\"Please help\",\"priority\":\"normal\"}}";
  private static final String OTHER_TICKET =
      "{\"arguments\":{\"customerId\":\"C-1001\",\"subject\":\"Parcel lost\",\"body\":\"Please help\",\"priority\":\"low\"}}";
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"damaged\"}}";

  @RegisterExtension static final GatewayExtension GATEWAY = GatewayExtension.demo();
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final GatewayFixture gateway;

  IdempotencyKeyTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  /** A second call after a first (support opens a ticket with key K, or without a key). */
  record Second(String agentKey, String tool, String body, boolean sameKey) {}

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(
            "same key, same request: the first outcome again, nothing runs",
            new Second(SUPPORT, "tickets_create", TICKET, true),
            200,
            true,
            1),
        Arguments.of(
            "same key, other arguments: 409 reused, nothing runs",
            new Second(SUPPORT, "tickets_create", OTHER_TICKET, true),
            409,
            false,
            1),
        Arguments.of(
            "same key, other tool: 409 reused, nothing runs",
            new Second(
                SUPPORT, "crm_get_customer", "{\"arguments\":{\"customerId\":\"C-1001\"}}", true),
            409,
            false,
            1),
        Arguments.of(
            "same key, other agent: independent, runs",
            new Second(BILLING, "orders_refund", REFUND, true),
            200,
            false,
            2),
        Arguments.of(
            "other key, same request: runs again",
            new Second(SUPPORT, "tickets_create", TICKET, false),
            200,
            false,
            2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void answersARepeatedKeyAsTheTableSays(
      String name, Second second, int status, boolean sameInvocation, int upstream) {
    String key = UUID.randomUUID().toString();
    HttpResponse<String> first =
        gateway.invoke("tickets_create", SUPPORT, TICKET, "Idempotency-Key", key);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

    HttpResponse<String> again =
        gateway.invoke(
            second.tool(),
            second.agentKey(),
            second.body(),
            "Idempotency-Key",
            second.sameKey() ? key : UUID.randomUUID().toString());

    assertThat(again.statusCode()).as(again.body()).isEqualTo(status);
    assertThat(gateway.acme().requestLog()).as("requests Acme saw").hasSize(upstream);
    String firstId = json(first).path("invocationId").asString();
    String againId = again.headers().firstValue("X-Invocation-Id").orElseThrow();
    if (sameInvocation) {
      assertThat(againId).isEqualTo(firstId);
      assertThat(again.body()).isEqualTo(first.body());
      assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
      assertThat(again.headers().firstValue("Location")).contains("/v1/invocations/" + firstId);
    } else {
      assertThat(againId).isNotEqualTo(firstId);
      assertThat(again.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }
    if (status == 409) {
      assertThat(json(again).path("type").asString())
          .isEqualTo("urn:portcullis:problem:idempotency-key-reused");
      assertThat(json(again).path("firstInvocationId").asString()).isEqualTo(firstId);
      assertThat(get(againId, SUPPORT).path("state").asString()).isEqualTo("denied");
    }
  }

  @Test
  void aReplayIsAuditedUnderItsOwnIdNamingTheFirstCall() throws Exception {
    String key = UUID.randomUUID().toString();
    HttpResponse<String> first =
        gateway.invoke("tickets_create", SUPPORT, TICKET, "Idempotency-Key", key);
    HttpResponse<String> again =
        gateway.invoke(
            "tickets_create",
            SUPPORT,
            TICKET,
            "Idempotency-Key",
            key,
            "X-Trace-Id",
            "4bf92f3577b34da6a3ce929d0e0e4736");
    String firstId = json(first).path("invocationId").asString();

    List<AuditRecord> records = new ArrayList<>();
    gateway.assembly().auditLog().scan(records::add);
    AuditRecord replay = records.getLast();
    assertThat(replay.entry().invocationId()).isNotEqualTo(firstId);
    assertThat(replay.entry().traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(replay.entry().state()).isEqualTo("COMPLETED");
    assertThat(replay.entry().reasons()).contains("idempotent-replay:" + firstId);
    assertThat(again.headers().firstValue("X-Invocation-Id")).contains(firstId);
    assertThat(
            records.stream()
                .filter(r -> r.entry().invocationId().equals(firstId))
                .map(r -> r.entry().state()))
        .containsExactly("EXECUTING", "COMPLETED");
  }

  @Test
  void aDeniedCallIsDeniedAgainWithTheSameIdAndStillNothingRuns() {
    String key = UUID.randomUUID().toString();
    HttpResponse<String> first =
        gateway.invoke("orders_refund", SUPPORT, REFUND, "Idempotency-Key", key);
    HttpResponse<String> again =
        gateway.invoke("orders_refund", SUPPORT, REFUND, "Idempotency-Key", key);

    assertThat(first.statusCode()).isEqualTo(403);
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(json(again).path("invocationId").asString())
        .isEqualTo(json(first).path("invocationId").asString());
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void theAgentThatMadeACallReadsItsStateDecisionTimesAndResult() {
    HttpResponse<String> r =
        gateway.invoke("tickets_create", SUPPORT, TICKET, "Idempotency-Key", "read-me-1");
    String id = json(r).path("invocationId").asString();
    assertThat(r.headers().firstValue("Location")).contains("/v1/invocations/" + id);

    JsonNode inv = get(id, SUPPORT);

    assertThat(inv.path("invocationId").asString()).isEqualTo(id);
    assertThat(inv.path("state").asString()).isEqualTo("completed");
    assertThat(inv.path("idempotencyKey").asString()).isEqualTo("read-me-1");
    assertThat(inv.at("/tool/name").asString()).isEqualTo("tickets_create");
    assertThat(inv.at("/tool/descriptorHash").asString())
        .isEqualTo(json(r).at("/tool/descriptorHash").asString());
    assertThat(inv.at("/decision/effect").asString()).isEqualTo("allow");
    assertThat(inv.at("/decision/rules/0").asString()).isEqualTo("support-open-tickets");
    assertThat(inv.at("/decision/policyVersion").asString()).isNotBlank();
    assertThat(inv.path("argumentsDigest").asString()).hasSize(64);
    assertThat(inv.path("result")).isEqualTo(json(r).path("result"));
    assertThat(inv.path("history"))
        .extracting(h -> h.path("state").asString())
        .containsExactly("received", "checked", "executing", "completed");
    assertThat(inv.path("receivedAt").asString()).isNotBlank();
    assertThat(inv.path("updatedAt").asString()).isNotBlank();
    assertThat(inv.has("arguments")).isFalse();
  }

  @Test
  void aDeniedCallReadsWithItsProblemType() {
    HttpResponse<String> r = gateway.invoke("orders_refund", SUPPORT, REFUND);
    JsonNode inv = get(r.headers().firstValue("X-Invocation-Id").orElseThrow(), SUPPORT);

    assertThat(inv.path("state").asString()).isEqualTo("denied");
    assertThat(inv.at("/error/type").asString())
        .isEqualTo("urn:portcullis:problem:denied-by-policy");
    assertThat(inv.at("/error/reasons/0").asString()).isEqualTo("default-deny");
  }

  @Test
  void anotherAgentCannotTellTheCallExists() {
    HttpResponse<String> r = gateway.invoke("tickets_create", SUPPORT, TICKET);
    String id = json(r).path("invocationId").asString();

    HttpResponse<String> other = getRaw(id, BILLING);
    HttpResponse<String> unknown = getRaw(UUID.randomUUID().toString(), BILLING);
    HttpResponse<String> anonymous = getRaw(id, null);

    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(json(other).path("type").asString()).isEqualTo("urn:portcullis:problem:not-found");
    assertThat(json(other).path("detail").asString())
        .isEqualTo(json(unknown).path("detail").asString().replace(unknownId(unknown), id));
    assertThat(other.body()).doesNotContain("tickets_create");
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }

  @Test
  void mcpCallsTakeTheKeyFromMetaAndShareTheAgentsKeys() {
    String key = UUID.randomUUID().toString();
    String session = initialize(SUPPORT);
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"tickets_create\","
            + "\"arguments\":"
            + JSON.readTree(TICKET).path("arguments")
            + ",\"_meta\":{\"portcullis/idempotencyKey\":\""
            + key
            + "\"}}}";

    JsonNode first = JSON.readTree(mcp(SUPPORT, session, call).body());
    JsonNode again = JSON.readTree(mcp(SUPPORT, session, call).body());
    HttpResponse<String> rest =
        gateway.invoke("tickets_create", SUPPORT, TICKET, "Idempotency-Key", key);
    JsonNode bad = JSON.readTree(mcp(SUPPORT, session, call.replace(key, "bad key")).body());
    JsonNode reused = JSON.readTree(mcp(SUPPORT, session, call.replace("normal", "low")).body());

    String firstId = first.at("/result/_meta/portcullis~1invocationId").asString();
    assertThat(first.at("/result/isError").asBoolean()).isFalse();
    assertThat(again.at("/result/_meta/portcullis~1invocationId").asString()).isEqualTo(firstId);
    assertThat(again.at("/result/structuredContent"))
        .isEqualTo(first.at("/result/structuredContent"));
    assertThat(rest.headers().firstValue("X-Invocation-Id")).contains(firstId);
    assertThat(reused.at("/result/isError").asBoolean()).isTrue();
    assertThat(reused.at("/result/structuredContent/error/type").asString())
        .isEqualTo("urn:portcullis:problem:idempotency-key-reused");
    assertThat(reused.at("/result/structuredContent/error/invocations/0").asString())
        .isEqualTo(firstId);
    assertThat(gateway.acme().requestLog()).hasSize(1);
    assertThat(bad.at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(bad.at("/error/message").asString()).contains("portcullis/idempotencyKey");
  }

  // --- helpers ---

  @Test
  void aKeyWhoseCallAwaitsApprovalIsInFlightAndOnceExpiredAnswersExpiredAgain(@TempDir Path own)
      throws Exception {
    TestClock clock = new TestClock();
    String bigRefund =
        "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";
    String key = UUID.randomUUID().toString();
    try (GatewayFixture g =
        GatewayFixture.start(own, GatewayFixture.DEMO_CONFIG, java.util.Map.of(), clock)) {
      HttpResponse<String> parked =
          g.invoke("orders_refund", BILLING, bigRefund, "Idempotency-Key", key);
      HttpResponse<String> whileParked =
          g.invoke("orders_refund", BILLING, bigRefund, "Idempotency-Key", key);
      clock.advance(Duration.ofMinutes(61));
      g.assembly().approvalExpiry().sweep(); // what 'serve' does every 30 s
      HttpResponse<String> afterDeadline =
          g.invoke("orders_refund", BILLING, bigRefund, "Idempotency-Key", key);
      HttpResponse<String> newKey =
          g.invoke(
              "orders_refund", BILLING, bigRefund, "Idempotency-Key", UUID.randomUUID().toString());

      String first = json(parked).path("invocationId").asString();
      assertThat(parked.statusCode()).isEqualTo(202);
      assertThat(whileParked.statusCode()).isEqualTo(409);
      assertThat(json(whileParked).path("type").asString())
          .isEqualTo("urn:portcullis:problem:idempotency-key-in-flight");
      assertThat(json(whileParked).path("detail").asString()).contains(first, "awaiting-approval");
      // The deadline passed: the parked call expired unexecuted, and its key answers that again.
      assertThat(afterDeadline.statusCode()).as(afterDeadline.body()).isEqualTo(409);
      assertThat(json(afterDeadline).path("type").asString())
          .isEqualTo("urn:portcullis:problem:approval-expired");
      assertThat(json(afterDeadline).path("invocationId").asString()).isEqualTo(first);
      assertThat(json(afterDeadline).path("detail").asString()).contains("new idempotency key");
      assertThat(newKey.statusCode()).as("a new key is a new call, parked again").isEqualTo(202);
      assertThat(g.acme().requestLog()).isEmpty();
    }
  }

  private static String unknownId(HttpResponse<String> r) {
    return r.request().uri().getPath().substring("/v1/invocations/".length());
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  private JsonNode get(String id, String key) {
    HttpResponse<String> r = getRaw(id, key);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  private HttpResponse<String> getRaw(String id, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/invocations/" + id))
            .timeout(Duration.ofSeconds(30))
            .GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return gateway.send(b.build());
  }

  private String initialize(String key) {
    HttpResponse<String> r =
        mcp(
            key,
            null,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"0\"}}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  private HttpResponse<String> mcp(String key, String session, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.baseUri().resolve("/mcp"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
