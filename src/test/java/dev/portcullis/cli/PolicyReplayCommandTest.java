package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis policy replay} over a real audit log: calls made through a real gateway (the
 * demo configuration, with the refund tool's arguments recorded only as a digest), then replayed
 * against a candidate that forbids customer lookups and enforces the urgent-ticket trial.
 */
class PolicyReplayCommandTest {
  private static final Path DEMO_POLICIES = Path.of("examples/demo/policies");
  private static final String S = GatewayFixture.SUPPORT_KEY;
  private static final String B = GatewayFixture.BILLING_KEY;

  @TempDir static Path dir;
  static Path config;
  static Path candidate;
  static Path data;
  static String lookup1;
  static String lookup2;
  static String urgent;

  @BeforeAll
  static void recordCallsThroughARealGateway() throws IOException {
    config = dir.resolve("config/portcullis.yaml");
    Files.createDirectories(config.resolveSibling("policies"));
    String demo = Files.readString(GatewayFixture.DEMO_CONFIG, StandardCharsets.UTF_8);
    assertThat(demo).contains("    audit: {arguments: full}");
    Files.writeString(
        config,
        demo.replace("    audit: {arguments: full}", "    audit: {arguments: digest}"),
        StandardCharsets.UTF_8);
    for (String file : new String[] {"billing.yaml", "support.yaml"}) {
      Files.copy(DEMO_POLICIES.resolve(file), config.resolveSibling("policies").resolve(file));
    }

    candidate = dir.resolve("candidate");
    Files.createDirectories(candidate);
    Files.copy(DEMO_POLICIES.resolve("billing.yaml"), candidate.resolve("billing.yaml"));
    String support =
        Files.readString(DEMO_POLICIES.resolve("support.yaml"), StandardCharsets.UTF_8);
    assertThat(support).contains("    mode: log_only\n");
    Files.writeString(
        candidate.resolve("support.yaml"),
        support.replace("    mode: log_only\n", ""),
        StandardCharsets.UTF_8);
    Files.writeString(
        candidate.resolve("lookups.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: no-customer-lookups
            description: Customers are looked up by e-mail only.
            effect: forbid
            target: {tools: [crm_get_customer]}
        """,
        StandardCharsets.UTF_8);

    data = dir.resolve("data");
    try (GatewayFixture gateway = GatewayFixture.start(data, config, Map.of())) {
      lookup1 =
          id(
              gateway.invoke("crm_get_customer", S, "{\"arguments\":{\"customerId\":\"C-1001\"}}"),
              200);
      lookup2 =
          id(
              gateway.invoke("crm_get_customer", S, "{\"arguments\":{\"customerId\":\"C-1002\"}}"),
              200);
      id(
          gateway.invoke(
              "crm_find_customer_by_email",
              S,
              "{\"arguments\":{\"email\":\"maria.keller@example.com\"}}"),
          200);
      id(
          gateway.invoke(
              "orders_refund",
              S,
              "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":20,\"reason\":\"damaged\"}}"),
          403);
      id(
          gateway.invoke(
              "orders_refund",
              B,
              "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":40,\"reason\":\"late\"}}"),
          200);
      urgent = id(gateway.invoke("tickets_create", S, ticket("urgent")), 403);
      id(gateway.invoke("tickets_create", S, ticket("normal")), 200);
      id(gateway.invoke("crm_delete_customer", S, "{\"arguments\":{}}"), 404);
      id(gateway.invoke("crm_get_customer", S, "{\"arguments\":{\"customerId\":\"1001\"}}"), 422);
    }
  }

  private static String ticket(String priority) {
    return "{\"arguments\":{\"customerId\":\"C-1001\",\"subject\":\"Parcel lost\",\"body\":\"Never arrived.\","
        + "\"priority\":\""
        + priority
        + "\"}}";
  }

  private static String id(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return response.headers().firstValue("X-Invocation-Id").orElseThrow();
  }

  private static CliRun replay(String... more) {
    String[] base = {"policy", "replay", "--config", config.toString(), "--data", data.toString()};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliRun.of(args);
  }

  @Test
  void reportsEveryChangedDecisionGroupedByRuleAgentAndTool() {
    CliRun run = replay("--policies", candidate.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "  replayed               5 calls: 2 unchanged, 3 changed\n"
                + "  skipped                2 calls\n"
                + "                           2: arguments recorded only as a digest (the tool's audit: {arguments: digest})\n"
                + "  not decided by policy  2 calls (unknown tool, invalid arguments, or ended before the policy stage)\n"
                + "\n"
                + "changes by rule (the rules that decided under the candidate)\n"
                + "  no-customer-lookups           2  allow→deny 2\n"
                + "      e.g. "
                + lookup1
                + ", "
                + lookup2
                + "\n"
                + "  support-urgent-tickets-trial  1  deny→allow 1\n"
                + "      e.g. "
                + urgent
                + "\n"
                + "\n"
                + "changes by agent\n"
                + "  support-assistant  3  allow→deny 2, deny→allow 1\n"
                + "      e.g. "
                + lookup1
                + ", "
                + lookup2
                + ", "
                + urgent
                + "\n"
                + "\n"
                + "changes by tool\n"
                + "  crm_get_customer  2  allow→deny 2\n"
                + "      e.g. "
                + lookup1
                + ", "
                + lookup2
                + "\n"
                + "  tickets_create    1  deny→allow 1\n"
                + "      e.g. "
                + urgent
                + "\n");
    assertThat(run.out())
        .startsWith("replayed the audit log in " + data + " (14 records) against policies sha256:");
  }

  @Test
  void jsonCarriesTheSummaryTheGroupsAndEveryChange() {
    CliRun run = replay("--policies", candidate.toString(), "-o", "json", "--examples", "1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = JsonMapper.builder().build().readTree(run.out());
    assertThat(json.path("summary").toString())
        .startsWith(
            "{\"records\":14,\"replayed\":5,\"unchanged\":2,\"changed\":3,"
                + "\"skipped\":{\"arguments-digest-only\":2,\"tool-not-in-catalog\":0,\"unreadable-record\":0},"
                + "\"notDecidedByPolicy\":2,\"recordedPolicyVersions\":[\"sha256:");
    assertThat(json.path("byRule").toString())
        .isEqualTo(
            "[{\"key\":\"no-customer-lookups\",\"changes\":2,\"transitions\":[{\"from\":\"allow\",\"to\":\"deny\",\"count\":2}],"
                + "\"examples\":[\""
                + lookup1
                + "\"]},"
                + "{\"key\":\"support-urgent-tickets-trial\",\"changes\":1,\"transitions\":[{\"from\":\"deny\",\"to\":\"allow\",\"count\":1}],"
                + "\"examples\":[\""
                + urgent
                + "\"]}]");
    assertThat(json.path("byAgent").toString())
        .isEqualTo(
            "[{\"key\":\"support-assistant\",\"changes\":3,\"transitions\":[{\"from\":\"allow\",\"to\":\"deny\",\"count\":2},"
                + "{\"from\":\"deny\",\"to\":\"allow\",\"count\":1}],\"examples\":[\""
                + lookup1
                + "\"]}]");
    assertThat(
            json.path("byTool")
                .valueStream()
                .map(g -> g.path("key").asString() + " " + g.path("changes").asInt()))
        .containsExactly("crm_get_customer 2", "tickets_create 1");
    assertThat(
            json.path("changes")
                .valueStream()
                .map(
                    c ->
                        c.path("invocationId").asString()
                            + " "
                            + c.path("from").asString()
                            + "→"
                            + c.path("to").asString()
                            + " "
                            + c.path("rules")))
        .containsExactly(
            lookup1 + " allow→deny [\"no-customer-lookups\"]",
            lookup2 + " allow→deny [\"no-customer-lookups\"]",
            urgent + " deny→allow [\"support-urgent-tickets-trial\"]");
    assertThat(json.at("/changes/2/recordedReasons").toString()).isEqualTo("[\"default-deny\"]");
  }

  @Test
  void failOnChangeExitsOneWhenADecisionWouldChange() {
    CliRun run = replay("--policies", candidate.toString(), "--fail-on-change");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("3 changed");
  }

  @Test
  void theConfigurationsOwnPoliciesChangeNothing() {
    CliRun run = replay("--fail-on-change");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("  replayed               5 calls: 5 unchanged, 0 changed\n")
        .endsWith("\nno decision would change.\n");
  }

  @Test
  void missingAuditLogSaysWhereToPointData() {
    CliRun run =
        CliRun.of(
            "policy",
            "replay",
            "--config",
            config.toString(),
            "--data",
            dir.resolve("empty").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "error: no audit log in "
                + dir.resolve("empty")
                + "; point --data at a gateway's data directory, or --store at its PostgreSQL"
                + " database\n");
  }
}
