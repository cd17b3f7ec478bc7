package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent's Idempotency-Key never reaches the upstream as the agent wrote it: two agents that
 * choose the same key (by chance, or one guessing the other's to be handed its answer) reach Acme,
 * which honours idempotency keys on tickets, as two different keys.
 */
class UpstreamIdempotencyKeysTest {
  private static final String TICKET =
      "{\"arguments\":{\"customerId\":\"C-1001\",\"subject\":\"%s\",\"body\":\"Please help.\",\"priority\":\"normal\"}}";

  @RegisterExtension
  static final GatewayExtension GATEWAY =
      GatewayExtension.demoWithPolicies(
          """
          apiVersion: portcullis.dev/v1alpha1
          kind: PolicySet
          rules:
            - id: both-open-tickets
              effect: permit
              target: {agents: [support-assistant, billing-assistant], tools: [tickets_create]}
          """);

  private final GatewayFixture gateway;

  UpstreamIdempotencyKeysTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  @Test
  void twoAgentsUsingTheSameKeyEachGetTheirOwnTicket() {
    HttpResponse<String> support =
        gateway.invoke(
            "tickets_create",
            GatewayFixture.SUPPORT_KEY,
            TICKET.formatted("Support's ticket"),
            "Idempotency-Key",
            "shared-key-1");
    HttpResponse<String> billing =
        gateway.invoke(
            "tickets_create",
            GatewayFixture.BILLING_KEY,
            TICKET.formatted("Billing's ticket"),
            "Idempotency-Key",
            "shared-key-1");

    assertThat(support.statusCode()).as(support.body()).isEqualTo(200);
    assertThat(billing.statusCode()).as(billing.body()).isEqualTo(200);
    assertThat(json(support).at("/result/subject").asString()).isEqualTo("Support's ticket");
    assertThat(json(billing).at("/result/subject").asString())
        .as("the billing agent is not handed the ticket support created under the same key")
        .isEqualTo("Billing's ticket");
    assertThat(json(billing).at("/result/id").asString())
        .isNotEqualTo(json(support).at("/result/id").asString());
  }
}
