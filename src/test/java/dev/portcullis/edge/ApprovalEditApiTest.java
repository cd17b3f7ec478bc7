package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Approving with edited arguments, through a real gateway in front of Acme (the demo: one approver
 * decides).
 */
class ApprovalEditApiTest {
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";
  private static final String OLIVIA = GatewayFixture.APPROVER_KEY;

  @TempDir Path data;
  private GatewayFixture gateway;
  private String approvalId;
  private String invocationId;

  @BeforeEach
  void park() {
    gateway = GatewayFixture.start(data);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    approvalId = parked.path("approvalId").asString();
    invocationId = parked.path("invocationId").asString();
  }

  @AfterEach
  void close() {
    gateway.close();
  }

  @Test
  void aValidEditRunsExactlyTheEditedCallAndTheRecordKeepsBothVersions() throws Exception {
    JsonNode original = json(get("/v1/approvals/" + approvalId));

    HttpResponse<String> approved =
        approve(
            "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":90,"
                + "\"reason\":\"late delivery, partial refund\"},\"reason\":\"only the shipping part\"}");

    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("state").asString()).isEqualTo("completed");
    assertThat(json(approved).at("/result/amount").asDouble()).isEqualTo(90.0);
    assertThat(json(approved).at("/result/reason").asString())
        .isEqualTo("late delivery, partial refund");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");

    JsonNode shown = json(get("/v1/approvals/" + approvalId));
    String editedDigest = shown.path("argumentsDigest").asString();
    String originalDigest = original.path("argumentsDigest").asString();
    assertThat(editedDigest).isNotEqualTo(originalDigest);
    assertThat(shown.at("/arguments/amount").asInt()).isEqualTo(90);
    assertThat(shown.at("/edited/by").asString()).isEqualTo("ops-olivia");
    assertThat(shown.at("/edited/originalArguments/amount").asInt()).isEqualTo(120);
    assertThat(shown.at("/edited/originalArgumentsDigest").asString()).isEqualTo(originalDigest);
    assertThat(shown.at("/votes/0/reason").asString()).isEqualTo("only the shipping part");

    JsonNode state = json(get("/v1/invocations/" + invocationId, GatewayFixture.BILLING_KEY));
    assertThat(state.path("argumentsDigest").asString()).isEqualTo(originalDigest);
    assertThat(state.at("/edited/argumentsDigest").asString()).isEqualTo(editedDigest);
    assertThat(state.at("/edited/by").asString()).isEqualTo("ops-olivia");

    List<AuditRecord> trail =
        gateway.audit().stream()
            .filter(a -> a.entry().invocationId().equals(invocationId))
            .toList();
    AuditRecord edit =
        trail.stream()
            .filter(a -> a.entry().reasons().contains("edited-by:ops-olivia"))
            .findFirst()
            .orElseThrow();
    assertThat(edit.entry().reasons())
        .contains("edited-from:" + originalDigest, "edited-to:" + editedDigest);
    assertThat(edit.entry().argumentsDigest()).isEqualTo(editedDigest);
    assertThat(trail.getFirst().entry().arguments()).contains("\"amount\":120");
    for (String s : List.of("EXECUTING", "COMPLETED")) {
      AuditRecord r =
          trail.stream().filter(a -> a.entry().state().equals(s)).findFirst().orElseThrow();
      assertThat(r.entry().argumentsDigest()).as(s).isEqualTo(editedDigest);
    }
    // the arguments that ran are in the record written before the effect; the ending names them
    // by digest only
    AuditRecord executing =
        trail.stream().filter(a -> a.entry().state().equals("EXECUTING")).findFirst().orElseThrow();
    assertThat(executing.entry().arguments()).contains("\"amount\":90").doesNotContain("120");
    assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
  }

  @Test
  void theInvocationStoreKeepsTheAgentsArgumentsBesideTheEditedOnes() throws Exception {
    approve("{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":90,\"reason\":\"partial refund\"}}");

    StoredInvocation stored =
        gateway.assembly().gateway().invocations().find(invocationId).orElseThrow();

    assertThat(stored.invocation().arguments().path("amount").asInt()).isEqualTo(120);
    assertThat(stored.edit().arguments().path("amount").asInt()).isEqualTo(90);
    assertThat(stored.edit().editedBy()).isEqualTo("ops-olivia");
    assertThat(stored.currentDigest())
        .isEqualTo(stored.edit().digest())
        .isNotEqualTo(stored.argumentsDigest());
  }

  @Test
  void anInvalidEditIsRefusedWith422AndChangesNothing() throws Exception {
    int recorded = gateway.audit().size();

    HttpResponse<String> refused =
        approve(
            "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":\"lots\","
                + "\"reason\":\"late delivery\"}}");

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    JsonNode problem = json(refused);
    assertThat(problem.path("type").asString()).isEqualTo("urn:portcullis:problem:invalid-edit");
    assertThat(problem.path("detail").asString()).contains("orders_refund", "is unchanged");
    assertThat(problem.path("violations").toString()).contains("/amount");
    JsonNode shown = json(get("/v1/approvals/" + approvalId));
    assertThat(shown.path("status").asString()).isEqualTo("pending");
    assertThat(shown.path("votes").size()).isZero();
    assertThat(shown.has("edited")).isFalse();
    assertThat(shown.at("/arguments/amount").asInt()).isEqualTo(120);
    assertThat(gateway.audit()).hasSize(recorded);
    assertThat(gateway.acme().requestLog()).isEmpty();

    HttpResponse<String> plain = approve("{}");
    assertThat(json(plain).path("state").asString()).as(plain.body()).isEqualTo("completed");
    assertThat(json(plain).at("/result/amount").asDouble()).isEqualTo(120.0);
  }

  @Test
  void anEditNestedDeeperThanTheLimitsIsRefusedLikeTheAgentsArguments() {
    String deep = "{\"a\":".repeat(10) + "1" + "}".repeat(10);

    HttpResponse<String> refused =
        approve(
            "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":90,"
                + "\"reason\":\"late delivery\",\"note\":"
                + deep
                + "}}");

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(json(refused).path("violations").toString()).contains("levels deep; the limit is 8");
    assertThat(json(get("/v1/approvals/" + approvalId)).path("status").asString())
        .isEqualTo("pending");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anEditThePolicyForbidsEndsTheCallDenied() throws Exception {
    HttpResponse<String> answered =
        approve(
            "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":2000,"
                + "\"reason\":\"late delivery\"}}");

    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    assertThat(json(answered).path("status").asString()).isEqualTo("denied");
    assertThat(json(answered).path("state").asString()).isEqualTo("denied");
    assertThat(json(answered).at("/error/type").asString())
        .isEqualTo("urn:portcullis:problem:denied-by-policy");
    assertThat(gateway.acme().requestLog()).isEmpty();
    JsonNode shown = json(get("/v1/approvals/" + approvalId));
    assertThat(shown.path("status").asString()).isEqualTo("denied");
    assertThat(shown.at("/arguments/amount").asInt()).isEqualTo(2000);
    assertThat(shown.at("/edited/originalArguments/amount").asInt()).isEqualTo(120);
    JsonNode state = json(get("/v1/invocations/" + invocationId, GatewayFixture.BILLING_KEY));
    assertThat(state.path("state").asString()).isEqualTo("denied");
    assertThat(state.at("/error/reasons").toString()).contains("no-refunds-over-1000");
    List<String> states =
        gateway.audit().stream()
            .filter(a -> a.entry().invocationId().equals(invocationId))
            .map(
                a ->
                    a.entry().state()
                        + (a.entry().reasons().contains("edited-by:ops-olivia") ? "+edited" : ""))
            .toList();
    assertThat(states).containsExactly("AWAITING_APPROVAL", "AWAITING_APPROVAL+edited", "DENIED");
    assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
  }

  @Test
  void anEditToArgumentsThePolicyAllowsRunsWithoutFurtherApproval() {
    HttpResponse<String> approved =
        approve(
            "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":50,"
                + "\"reason\":\"late delivery\"}}");

    assertThat(json(approved).path("state").asString()).as(approved.body()).isEqualTo("completed");
    assertThat(json(approved).at("/result/amount").asDouble()).isEqualTo(50.0);
  }

  @Test
  void anApprovalOfArgumentsSinceReplacedIsRefused() {
    HttpResponse<String> refused = approve("{\"argumentsDigest\":\"" + "0".repeat(64) + "\"}");

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    assertThat(json(refused).path("type").asString())
        .isEqualTo("urn:portcullis:problem:approval-arguments-changed");
    assertThat(json(get("/v1/approvals/" + approvalId)).path("votes").size()).isZero();
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void theCommandLineApprovesWithArgumentsGivenInlineOrInAFile() throws Exception {
    String server = gateway.baseUri().toString();
    Path bad =
        Files.writeString(
            data.resolve("bad.json"), "{\"orderId\":\"O-5001\",\"amount\":-5,\"reason\":\"x\"}");
    Path good =
        Files.writeString(
            data.resolve("good.json"),
            "{\"orderId\":\"O-5001\",\"amount\":75,\"reason\":\"late delivery\"}");

    CliRun both =
        CliRun.of(
            "approvals",
            "approve",
            approvalId,
            "--server",
            server,
            "--key",
            OLIVIA,
            "--arguments",
            "{}",
            "--arguments-file",
            good.toString());
    CliRun notJson =
        CliRun.of(
            "approvals",
            "approve",
            approvalId,
            "--server",
            server,
            "--key",
            OLIVIA,
            "--arguments",
            "{amount: 75");
    CliRun invalid =
        CliRun.of(
            "approvals",
            "approve",
            approvalId,
            "--server",
            server,
            "--key",
            OLIVIA,
            "--arguments-file",
            bad.toString());
    CliRun shown = CliRun.of("approvals", "show", approvalId, "--server", server, "--key", OLIVIA);
    CliRun approved =
        CliRun.of(
            "approvals",
            "approve",
            approvalId,
            "--server",
            server,
            "--key",
            OLIVIA,
            "--arguments-file",
            good.toString(),
            "--reason",
            "only part");
    CliRun after = CliRun.of("approvals", "show", approvalId, "--server", server, "--key", OLIVIA);

    assertThat(both.exitCode()).isEqualTo(1);
    assertThat(both.err()).contains("not both");
    assertThat(notJson.exitCode()).isEqualTo(1);
    assertThat(notJson.err()).contains("--arguments is not JSON");
    assertThat(invalid.exitCode()).isEqualTo(1);
    assertThat(invalid.err()).contains("invalid-edit (422)", "/amount", "/reason");
    assertThat(shown.out()).contains("Status:     pending", "\"amount\" : 120");
    assertThat(approved.exitCode()).as(approved.err()).isZero();
    assertThat(approved.out()).contains("approved by ops-olivia", "completed", "\"amount\" : 75");
    assertThat(after.out())
        .contains(
            "Edited:     by ops-olivia",
            "\"amount\" : 75",
            "Original arguments, as the agent sent them",
            "\"amount\" : 120");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  private HttpResponse<String> approve(String body) {
    return gateway.approve(approvalId, OLIVIA, body);
  }

  private HttpResponse<String> get(String path) {
    return gateway.get(path, OLIVIA);
  }

  private HttpResponse<String> get(String path, String key) {
    return gateway.send(
        HttpRequest.newBuilder(URI.create(gateway.baseUri() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .GET()
            .build());
  }
}
