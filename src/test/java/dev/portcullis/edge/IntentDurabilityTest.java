package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcInvocationStore;
import dev.portcullis.store.LedgerCheck;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Invocations;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit.durability: intent}: an executed call's answer goes out once the decision that
 * allowed it is durable, and its ending follows in the next group commit. The decision is still
 * recorded before the effect; a clean stop waits for the endings under way, so none is lost.
 */
class IntentDurabilityTest {
  private static final String CUSTOMER = "{\"arguments\":{\"customerId\":\"C-1001\"}}";

  @TempDir Path dir;

  @Test
  void everyEndingIsRecordedByTheTimeTheGatewayHasStopped() throws Exception {
    Path config =
        GatewayFixture.demoConfigWith(dir.resolve("config"), "audit:\n  durability: intent");
    Path data = dir.resolve("data");
    List<String> ids = new ArrayList<>();
    try (GatewayFixture gateway = GatewayFixture.start(data, config, Map.of())) {
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r =
            gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, CUSTOMER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        ids.add(json(r).path("invocationId").asString());
      }
      HttpResponse<String> refused =
          gateway.invoke(
              "crm_get_customer", GatewayFixture.SUPPORT_KEY, "{\"arguments\":{\"customerId\":7}}");
      assertThat(refused.statusCode()).isEqualTo(422);
    }

    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      JdbcInvocationStore store = new JdbcInvocationStore(db, Invocations.JSON);
      for (String id : ids) {
        assertThat(store.find(id).orElseThrow().state().name()).as(id).isEqualTo("COMPLETED");
      }
      assertThat(new LedgerCheck(db).disagreements(10)).isEmpty();
    }
    CliRun verify = CliRun.of("audit", "verify", "--data", data.toString());
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
  }

  @Test
  void theDecisionIsDurableBeforeTheEffectAsUnderStrict() throws Exception {
    Path config =
        GatewayFixture.demoConfigWith(dir.resolve("config"), "audit:\n  durability: intent");
    try (GatewayFixture gateway = GatewayFixture.start(dir.resolve("data"), config, Map.of())) {
      long before = gateway.assembly().ledgerCommits();

      HttpResponse<String> r =
          gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, CUSTOMER);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(gateway.assembly().ledgerCommits() - before)
          .as("at least the EXECUTING record, before the answer")
          .isGreaterThanOrEqualTo(1);
      String id = json(r).path("invocationId").asString();
      assertThat(gateway.audit())
          .filteredOn(a -> a.entry().invocationId().equals(id))
          .first()
          .satisfies(a -> assertThat(a.entry().state()).isEqualTo("EXECUTING"));
    }
  }
}
