package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditChain;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Invariant 5 (an approval authorises one exact call), against someone with write access to the
 * database who changes a parked call's arguments behind the gateway's back (a refund of 120 becomes
 * 9,999): an approval must not run the altered call, because the stored arguments are checked
 * against the hash-chained audit record of the parked call. The invariant's other edges are tried
 * elsewhere: arguments an approver sends are an edit, validated and decided again
 * (ApprovalEditApiTest); a second approval or a racing one runs nothing more (ApprovalApiTest); a
 * late approval after expiry is refused (ApprovalApiTest, IdempotencyKeyTest); another agent cannot
 * read or replay the call (IdempotencyKeyTest, McpApprovalWaitTest).
 */
class ApprovalTamperTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";
  private static final String ALTERED =
      "{\"orderId\":\"O-5001\",\"amount\":9999,\"reason\":\"late delivery\"}";

  @TempDir Path data;
  private GatewayFixture gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void argumentsAlteredInTheStoreWithAMatchingDigestAreRefusedAndNothingRuns() throws Exception {
    assertApprovalRefusedAfter(true);
  }

  @Test
  void argumentsAlteredInTheStoreAloneAreRefusedAndNothingRuns() throws Exception {
    assertApprovalRefusedAfter(false);
  }

  @Test
  void aCallMovedToAnotherAgentInTheStoreIsRefusedAndNothingRuns() throws Exception {
    gateway = GatewayFixture.start(data);
    JsonNode parked =
        JSON.readTree(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND).body());
    update(
        "UPDATE invocations SET agent_id = 'support-assistant' WHERE invocation_id = ?",
        parked.path("invocationId").asString());

    HttpResponse<String> approved = approve(parked.path("approvalId").asString());

    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(500);
    assertThat(JSON.readTree(approved.body()).path("type").asString())
        .isEqualTo("urn:portcullis:problem:stored-call-altered");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  private void update(String sql, String invocationId) throws Exception {
    String url =
        "jdbc:sqlite:"
            + data.resolve(EmbeddedDatabase.FILE_NAME).toAbsolutePath()
            + "?busy_timeout=10000";
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, invocationId);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  private void assertApprovalRefusedAfter(boolean digestToo) throws Exception {
    gateway = GatewayFixture.start(data);
    JsonNode parked =
        JSON.readTree(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND).body());
    String invocationId = parked.path("invocationId").asString();
    alter(invocationId, digestToo);

    HttpResponse<String> approved = approve(parked.path("approvalId").asString());
    HttpResponse<String> again = approve(parked.path("approvalId").asString());

    assertThat(again.statusCode()).as("a retry is refused too: " + again.body()).isEqualTo(500);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(500);
    JsonNode problem = JSON.readTree(approved.body());
    assertThat(problem.path("type").asString())
        .isEqualTo("urn:portcullis:problem:stored-call-altered");
    assertThat(problem.path("detail").asString()).contains("audit verify");
    assertThat(gateway.acme().requestLog()).as("the altered refund never reached Acme").isEmpty();
    List<AuditRecord> records = gateway.assembly().auditLog().records(invocationId);
    assertThat(records).extracting(r -> r.entry().errorKind()).contains("stored_call_altered");
    assertThat(records).extracting(r -> r.entry().state()).doesNotContain("EXECUTING", "COMPLETED");
    assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
  }

  /**
   * Rewrites the parked call's arguments in the SQLite file, as an intruder with file access would.
   */
  private void alter(String invocationId, boolean digestToo) throws Exception {
    String url =
        "jdbc:sqlite:"
            + data.resolve(EmbeddedDatabase.FILE_NAME).toAbsolutePath()
            + "?busy_timeout=10000";
    String sql =
        digestToo
            ? "UPDATE invocations SET arguments = ?, arguments_digest = ? WHERE invocation_id = ?"
            : "UPDATE invocations SET arguments = ? WHERE invocation_id = ?";
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, ALTERED);
      if (digestToo) {
        ps.setString(i++, AuditChain.sha256Hex(ALTERED));
      }
      ps.setString(i, invocationId);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  private HttpResponse<String> approve(String approvalId) {
    return gateway.send(
        HttpRequest.newBuilder(
                URI.create(gateway.baseUri() + "/v1/approvals/" + approvalId + ":approve"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + GatewayFixture.APPROVER_KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build());
  }
}
