package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What each road costs in durable writes, counted as the ledger's committed transactions (each one
 * fsync): an allowed call two (before its effect, and its ending), a refused call one, a replay
 * one, a parked call one, and an approval its vote, its resumption (which decides the request) and
 * the call's ending. A call is answered only after its writes are durable, so the count is exact.
 */
class LedgerRoadsTest {
  private static final String CUSTOMER = "{\"arguments\":{\"customerId\":\"C-1001\"}}";
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";

  @TempDir Path data;
  private GatewayFixture gateway;

  @BeforeEach
  void start() {
    gateway = GatewayFixture.start(data);
  }

  @AfterEach
  void close() {
    gateway.close();
  }

  /** How many ledger transactions {@code call} committed, with its answer. */
  private <T> Counted<T> counted(Supplier<T> call) {
    long before = gateway.assembly().ledgerCommits();
    T answer = call.get();
    return new Counted<>(answer, gateway.assembly().ledgerCommits() - before);
  }

  private record Counted<T>(T answer, long commits) {}

  @Test
  void anAllowedCallIsTwoCommits() {
    Counted<HttpResponse<String>> read =
        counted(() -> gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, CUSTOMER));

    assertThat(read.answer().statusCode()).as(read.answer().body()).isEqualTo(200);
    assertThat(read.commits()).isEqualTo(2);
  }

  @Test
  void aRefusedCallIsOneCommit() {
    Counted<HttpResponse<String>> unknown =
        counted(
            () -> gateway.invoke("no_such_tool", GatewayFixture.SUPPORT_KEY, "{\"arguments\":{}}"));
    Counted<HttpResponse<String>> invalid =
        counted(
            () ->
                gateway.invoke(
                    "crm_get_customer",
                    GatewayFixture.SUPPORT_KEY,
                    "{\"arguments\":{\"customerId\":7}}"));

    assertThat(unknown.answer().statusCode()).isGreaterThanOrEqualTo(400);
    assertThat(invalid.answer().statusCode()).isEqualTo(422);
    assertThat(unknown.commits()).isEqualTo(1);
    assertThat(invalid.commits()).isEqualTo(1);
  }

  @Test
  void aKeyedCallIsTwoCommitsAndItsReplayOne() {
    Counted<HttpResponse<String>> first =
        counted(
            () ->
                gateway.invoke(
                    "crm_get_customer",
                    GatewayFixture.SUPPORT_KEY,
                    CUSTOMER,
                    "Idempotency-Key",
                    "roads-1"));
    Counted<HttpResponse<String>> replay =
        counted(
            () ->
                gateway.invoke(
                    "crm_get_customer",
                    GatewayFixture.SUPPORT_KEY,
                    CUSTOMER,
                    "Idempotency-Key",
                    "roads-1"));

    assertThat(first.answer().statusCode()).isEqualTo(200);
    assertThat(replay.answer().body()).isEqualTo(first.answer().body());
    assertThat(first.commits()).isEqualTo(2);
    assertThat(replay.commits()).isEqualTo(1);
  }

  @Test
  void aParkedCallIsOneCommitAndItsApprovalThree() {
    Counted<HttpResponse<String>> parked =
        counted(() -> gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    assertThat(parked.answer().statusCode()).as(parked.answer().body()).isEqualTo(202);
    String approvalId = json(parked.answer()).path("approvalId").asString();

    Counted<HttpResponse<String>> approved =
        counted(() -> gateway.approve(approvalId, GatewayFixture.APPROVER_KEY, "{}"));

    assertThat(approved.answer().statusCode()).as(approved.answer().body()).isEqualTo(200);
    JsonNode body = json(approved.answer());
    assertThat(body.path("status").asString()).isEqualTo("approved");
    assertThat(parked.commits()).isEqualTo(1);
    assertThat(approved.commits())
        .as("the vote, the resumption (deciding the request), the ending")
        .isEqualTo(3);
  }

  @Test
  void aDenialByAnApproverIsOneCommit() {
    HttpResponse<String> parked =
        gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND);
    String approvalId = json(parked).path("approvalId").asString();

    Counted<HttpResponse<String>> denied =
        counted(
            () ->
                gateway.post(
                    "/v1/approvals/" + approvalId + ":deny",
                    GatewayFixture.APPROVER_KEY,
                    "{\"reason\":\"no receipt\"}"));

    assertThat(denied.answer().statusCode()).as(denied.answer().body()).isEqualTo(200);
    assertThat(denied.commits()).isEqualTo(1);
  }
}
