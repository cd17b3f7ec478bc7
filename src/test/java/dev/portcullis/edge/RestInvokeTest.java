package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The REST door against a real gateway and a real Acme: results, and every kind of refusal. */
class RestInvokeTest {
  private static final String SUPPORT = GatewayFixture.SUPPORT_KEY;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension static final GatewayExtension GATEWAY = GatewayExtension.demo();
  private final GatewayFixture gateway;

  RestInvokeTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  private List<AuditRecord> audit() throws Exception {
    List<AuditRecord> records = new ArrayList<>();
    gateway.assembly().auditLog().scan(records::add);
    return records;
  }

  private static void assertProblem(HttpResponse<String> r, int status, String slug) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    JsonNode body = json(r);
    assertThat(body.path("type").asString()).isEqualTo("urn:portcullis:problem:" + slug);
    assertThat(body.path("status").asInt()).isEqualTo(status);
    assertThat(body.path("title").asString()).isNotBlank();
    assertThat(body.path("detail").asString()).isNotBlank();
  }

  @Test
  void redactsPersonalDataInTheResultAndAuditsThePathsNeverTheValues() throws Exception {
    HttpResponse<String> r =
        gateway.invoke("crm_get_customer", SUPPORT, "{\"arguments\":{\"customerId\":\"C-1001\"}}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = json(r);
    assertThat(body.at("/result/name").asString()).isEqualTo("Maria Keller");
    assertThat(body.at("/result/email").asString()).isEqualTo("[redacted:email]");
    assertThat(body.at("/result/phone").asString()).isEqualTo("[redacted:phone]");
    assertThat(r.body()).doesNotContain("maria.keller", "5550 1001");
    String id = body.path("invocationId").asString();
    List<AuditRecord> mine =
        audit().stream().filter(a -> a.entry().invocationId().equals(id)).toList();
    AuditRecord completed = mine.getLast();
    assertThat(completed.entry().state()).isEqualTo("COMPLETED");
    assertThat(JSON.readTree(completed.entry().filtered()))
        .isEqualTo(
            JSON.readTree(
                "{\"dropped\":[],\"redacted\":[{\"path\":\"/email\",\"kind\":\"email\"},"
                    + "{\"path\":\"/phone\",\"kind\":\"phone\"}]}"));
    assertThat(mine)
        .allSatisfy(
            a -> assertThat(a.entry().toString()).doesNotContain("maria.keller", "5550 1001"));
  }

  @Test
  void returnsResultOfAllowedReadWithItsDecisionAndIds() {
    HttpResponse<String> r =
        gateway.invoke("crm_get_customer", SUPPORT, "{\"arguments\":{\"customerId\":\"C-1001\"}}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = json(r);
    assertThat(body.at("/result/name").asString()).isEqualTo("Maria Keller");
    assertThat(body.at("/decision/rules/0").asString()).isEqualTo("support-read-crm");
    assertThat(body.at("/tool/descriptorHash").asString()).startsWith("sha256:");
    assertThat(r.headers().firstValue("X-Invocation-Id"))
        .contains(body.path("invocationId").asString());
    assertThat(gateway.acme().requestLog()).containsExactly("GET /api/customers/C-1001");
  }

  @Test
  void continuesTheCallersW3cTrace() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    HttpResponse<String> r =
        gateway.invoke(
            "crm_get_customer",
            SUPPORT,
            "{\"arguments\":{\"customerId\":\"C-1002\"}}",
            "traceparent",
            "00-" + traceId + "-00f067aa0ba902b7-01");

    assertThat(json(r).path("traceId").asString()).isEqualTo(traceId);
    assertThat(r.headers().firstValue("X-Trace-Id")).contains(traceId);
  }

  @Test
  void recordsTheEnvelopesActorAndRequestId() throws Exception {
    HttpResponse<String> r =
        gateway.invoke(
            "crm_get_customer",
            SUPPORT,
            "{\"requestId\":\"req-42\",\"actor\":{\"userId\":\"u-9\",\"channel\":\"slack\",\"sessionId\":\"s-1\"},"
                + "\"arguments\":{\"customerId\":\"C-1003\"},\"policyContext\":{\"role\":\"agent\",\"region\":\"eu\"}}");
    String id = json(r).path("invocationId").asString();

    AuditRecord done =
        audit().stream().filter(a -> a.entry().invocationId().equals(id)).toList().getLast();
    assertThat(done.entry().state()).isEqualTo("COMPLETED");
    assertThat(done.entry().requestId()).isEqualTo("req-42");
    assertThat(done.entry().userId()).isEqualTo("u-9");
    assertThat(done.entry().channel()).as("the door, as the gateway knows it").isEqualTo("rest");
    assertThat(done.entry().context())
        .as("the channel as the agent declared it")
        .isEqualTo("{\"declaredChannel\":\"slack\",\"region\":\"eu\",\"role\":\"agent\"}");
    assertThat(done.entry().sessionId()).isEqualTo("s-1");
    assertThat(done.entry().agentId()).isEqualTo("support-assistant");
    assertThat(done.entry().tenant()).isEqualTo("acme");
  }

  @Test
  void refusesArgumentsThatBreakTheSchemaListingEveryViolation() throws Exception {
    int before = audit().size();
    HttpResponse<String> r =
        gateway.invoke(
            "tickets_create",
            SUPPORT,
            "{\"arguments\":{\"customerId\":\"X\",\"subject\":\"hi\",\"priority\":\"whenever\",\"cc\":\"boss@x.com\"}}");

    assertProblem(r, 422, "invalid-arguments");
    assertThat(json(r).path("violations")).hasSizeGreaterThanOrEqualTo(4);
    assertThat(r.body())
        .contains("/customerId")
        .contains("/priority")
        .contains("cc")
        .contains("body");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(audit()).hasSize(before + 1);
    assertThat(audit().getLast().entry().state()).isEqualTo("DENIED");
  }

  @Test
  void refusesAnArgumentThatBreaksItsSchemaFormatBeforeAnythingIsSent() throws Exception {
    int before = audit().size();
    HttpResponse<String> r =
        gateway.invoke(
            "crm_find_customer_by_email",
            SUPPORT,
            "{\"arguments\":{\"email\":\"not an address\"}}");

    assertProblem(r, 422, "invalid-arguments");
    assertThat(json(r).path("violations").toString()).contains("/email").contains("email");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(audit()).hasSize(before + 1);
    assertThat(audit().getLast().entry().state()).isEqualTo("DENIED");
  }

  @Test
  void refusesArgumentsOverTheSizeAndDepthLimits() {
    String big = "x".repeat(17_000);
    HttpResponse<String> large =
        gateway.invoke(
            "tickets_create",
            SUPPORT,
            "{\"arguments\":{\"customerId\":\"C-1001\",\"subject\":\"big\",\"priority\":\"low\",\"body\":\""
                + big
                + "\"}}");
    String deep = "{\"a\":".repeat(9) + "1" + "}".repeat(9);
    HttpResponse<String> nested =
        gateway.invoke("crm_get_customer", SUPPORT, "{\"arguments\":" + deep + "}");

    assertProblem(large, 422, "invalid-arguments");
    assertThat(large.body()).contains("the limit is 16384");
    assertProblem(nested, 422, "invalid-arguments");
    assertThat(nested.body()).contains("the limit is 8");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void deniesAToolOutsideTheAgentsGrantNamingTheRule() {
    HttpResponse<String> r =
        gateway.invoke(
            "orders_refund",
            SUPPORT,
            "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"goodwill\"}}");

    assertProblem(r, 403, "denied-by-policy");
    assertThat(json(r).path("rules").get(0).asString()).isEqualTo("default-deny");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void deniesACallWhoseGrantConditionDoesNotHold() {
    HttpResponse<String> r =
        gateway.invoke(
            "tickets_create",
            SUPPORT,
            "{\"arguments\":{\"customerId\":\"C-1001\",\"subject\":\"Fire\",\"body\":\"Now\",\"priority\":\"urgent\"}}");

    assertProblem(r, 403, "denied-by-policy");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void refundsFollowTheBillingPolicyPermitApprovalAndForbid() {
    String refund =
        "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":%s,\"reason\":\"late delivery\"}}";
    HttpResponse<String> small =
        gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, refund.formatted("25.5"));
    HttpResponse<String> large =
        gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, refund.formatted("100.5"));
    HttpResponse<String> huge =
        gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, refund.formatted("1500"));

    assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
    assertThat(json(small).at("/decision/rules/0").asString()).isEqualTo("billing-orders");
    assertThat(large.statusCode()).as(large.body()).isEqualTo(202);
    assertThat(json(large).path("state").asString()).isEqualTo("awaiting-approval");
    assertProblem(huge, 403, "denied-by-policy");
    assertThat(json(huge).path("rules").get(0).asString()).isEqualTo("no-refunds-over-1000");
    assertThat(json(huge).path("detail").asString())
        .isEqualTo(
            "forbidden by rule no-refunds-over-1000: Refunds over 1000 are never issued through an agent.");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void recordsTheLogOnlyRulesWouldBeDecisionBesideTheEnforcedOne() throws Exception {
    HttpResponse<String> r =
        gateway.invoke(
            "tickets_create",
            SUPPORT,
            "{\"arguments\":{\"customerId\":\"C-1001\",\"subject\":\"Outage\",\"body\":\"Down\",\"priority\":\"urgent\"}}");

    assertProblem(r, 403, "denied-by-policy");
    AuditRecord denied = audit().getLast();
    assertThat(denied.entry().shadows())
        .isEqualTo(
            "[{\"rule\":\"support-urgent-tickets-trial\",\"wouldBe\":\"allow\",\"flips\":true}]");
    assertThat(denied.entry().policyVersion()).startsWith("sha256:");
  }

  @Test
  void deniesAnUnknownToolAndRecordsIt() throws Exception {
    HttpResponse<String> r = gateway.invoke("crm_delete_customer", SUPPORT, "{\"arguments\":{}}");

    assertProblem(r, 404, "unknown-tool");
    AuditRecord last = audit().getLast();
    assertThat(last.entry().toolName()).isEqualTo("crm_delete_customer");
    assertThat(last.entry().reasons()).containsExactly("unknown-tool");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void upstreamRefusalIsATypedProblemWithoutTheCredential() {
    HttpResponse<String> r =
        gateway.invoke("crm_get_customer", SUPPORT, "{\"arguments\":{\"customerId\":\"C-9999\"}}");

    assertProblem(r, 502, "upstream-rejected");
    assertThat(json(r).path("detail").asString()).contains("answered 404");
    assertThat(r.body()).doesNotContain(GatewayFixture.ACME_TOKEN);
  }

  @Test
  void forwardsTheIdempotencyKeySoARetriedWriteIsNotRepeated() {
    String body =
        "{\"arguments\":{\"customerId\":\"C-1002\",\"subject\":\"Retry me\",\"body\":\"Once\",\"priority\":\"low\"}}";
    HttpResponse<String> first =
        gateway.invoke("tickets_create", SUPPORT, body, "Idempotency-Key", "ticket-retry-1");
    HttpResponse<String> again =
        gateway.invoke("tickets_create", SUPPORT, body, "Idempotency-Key", "ticket-retry-1");

    assertThat(json(again).at("/result/id").asString())
        .isEqualTo(json(first).at("/result/id").asString());
  }

  @Test
  void refusesMissingWrongOrMalformedCredentialsWith401AndAChallenge() throws Exception {
    int before = audit().size();
    for (String key : new String[] {null, "pcl_not_a_real_key", ""}) {
      HttpResponse<String> r =
          gateway.invoke("crm_get_customer", key, "{\"arguments\":{\"customerId\":\"C-1001\"}}");
      assertProblem(r, 401, "unauthenticated");
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(r.body()).doesNotContain("pcl_not_a_real_key");
    }
    HttpResponse<String> basic =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/tools/crm_get_customer:invoke"))
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertProblem(basic, 401, "unauthenticated");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(audit()).hasSize(before);
  }

  @Test
  void refusesMalformedBodiesBeforeAnythingRuns() throws Exception {
    int before = audit().size();
    String[][] cases = {
      {"{\"arguments\":", "malformed-request"},
      {"[1,2]", "malformed-request"},
      {
        "{\"arguments\":{\"customerId\":\"C-1001\"},\"arguments\":{\"customerId\":\"C-1002\"}}",
        "malformed-request"
      },
      {"{\"arguments\":{\"customerId\":\"C-1001\"},\"sudo\":true}", "malformed-request"},
      {"{\"arguments\":[\"C-1001\"]}", "malformed-request"},
      {"{\"actor\":{\"userId\":7}}", "malformed-request"},
      {"{\"arguments\":{}} trailing", "malformed-request"},
      {"{\"arguments\":" + "[".repeat(100) + "]".repeat(100) + "}", "malformed-request"},
    };
    for (String[] c : cases) {
      assertProblem(gateway.invoke("crm_get_customer", SUPPORT, c[0]), 400, c[1]);
    }
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(audit()).hasSize(before);
  }

  @Test
  void refusesANonJsonContentType() {
    HttpResponse<String> r =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/tools/crm_get_customer:invoke"))
                .header("Authorization", "Bearer " + SUPPORT)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("customerId=C-1001"))
                .build());

    assertProblem(r, 415, "unsupported-media-type");
  }

  @Test
  void refusesABodyOverTheRequestLimit() {
    String huge = "{\"arguments\":{\"customerId\":\"" + "x".repeat(1_100_000) + "\"}}";
    // Expect: 100-continue, as a careful client sends a large body: the gateway refuses on the
    // declared
    // Content-Length before reading. Without it the answer races the upload: the gateway answers
    // and
    // closes while the client is still writing, and the client may see the reset instead of the
    // 413.
    HttpResponse<String> r =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/tools/crm_get_customer:invoke"))
                .timeout(java.time.Duration.ofSeconds(30))
                .expectContinue(true)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + SUPPORT)
                .POST(HttpRequest.BodyPublishers.ofString(huge))
                .build());

    assertProblem(r, 413, "payload-too-large");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void refusesABadIdempotencyKey() {
    HttpResponse<String> r =
        gateway.invoke(
            "crm_get_customer",
            SUPPORT,
            "{\"arguments\":{\"customerId\":\"C-1001\"}}",
            "Idempotency-Key",
            "has spaces in it");

    assertProblem(r, 400, "malformed-request");
  }

  @Test
  void refusesABrowserOriginThatIsNotAllowed() {
    HttpResponse<String> r =
        gateway.invoke(
            "crm_get_customer",
            SUPPORT,
            "{\"arguments\":{\"customerId\":\"C-1001\"}}",
            "Origin",
            "https://evil.example");

    assertProblem(r, 403, "origin-not-allowed");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void refusesAHostHeaderThatIsNotAllowed() throws IOException {
    // The JDK client will not send a custom Host header, so this speaks HTTP/1.1 on a socket.
    String body = "{\"arguments\":{\"customerId\":\"C-1001\"}}";
    String request =
        "POST /v1/tools/crm_get_customer:invoke HTTP/1.1\r\n"
            + "Host: attacker.example:"
            + gateway.port()
            + "\r\n"
            + "Authorization: Bearer "
            + SUPPORT
            + "\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: "
            + body.length()
            + "\r\n"
            + "Connection: close\r\n\r\n"
            + body;
    String response;
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), gateway.port())) {
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(response)
        .startsWith("HTTP/1.1 403")
        .contains("urn:portcullis:problem:host-not-allowed");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void answersUnknownPathsWithAProblem() {
    HttpResponse<String> r =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/tools/crm_get_customer"))
                .header("Authorization", "Bearer " + SUPPORT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());

    assertProblem(r, 404, "not-found");
  }

  @Test
  void healthNeedsNoCredential() {
    HttpResponse<String> r =
        gateway.send(HttpRequest.newBuilder(gateway.baseUri().resolve("/healthz")).build());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
  }
}
