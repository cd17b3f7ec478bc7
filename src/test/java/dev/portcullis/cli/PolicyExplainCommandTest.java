package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code portcullis policy explain}: the decision, then every rule with its status and source. */
class PolicyExplainCommandTest {
  private static final String DEMO = "examples/demo/portcullis.yaml";

  @TempDir Path dir;

  /**
   * A candidate set with one rule in each state for a support lookup of C-1001 without a region.
   */
  private Path candidate() throws IOException {
    Files.writeString(
        dir.resolve("lookups.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: support-reads
            description: Support may read customers.
            effect: permit
            target: {agents: [support-assistant], tools: ["crm_*"]}
          - id: eu-desk
            effect: permit
            target: {agents: [support-assistant], tools: [crm_get_customer]}
            when: context.region.startsWith('eu')
          - id: vip-lookups
            effect: permit
            target: {tools: [crm_get_customer]}
            when: args.customerId == 'C-9999'
          - id: billing-lookups
            effect: permit
            target: {agents: [billing-assistant], tools: [crm_get_customer]}
          - id: billing-orders
            effect: permit
            target: {agents: [billing-assistant], tools: ["orders_*"]}
        """,
        StandardCharsets.UTF_8);
    return dir;
  }

  @Test
  void listsTheDecisionThenEveryRuleGroupedWithItsSource() throws IOException {
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "--config",
            DEMO,
            "--policies",
            candidate().toString(),
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer",
            "--args",
            "{\"customerId\":\"C-1001\"}");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith(
            """
        request   agent support-assistant (tenant acme), tool crm_get_customer, no user, channel rest
                  args {"customerId":"C-1001"}

        decision  allow
        rules     support-reads
        reason    permitted by rule support-reads: Support may read customers.
        errors    eu-desk: evaluation error at <input>:25: No matching overload for function 'startsWith'. \
        Overload candidates: starts_with_string
        log-only  none
        policy    sha256:""");
    assertThat(run.out())
        .endsWith(
            """

        matched (1)
          support-reads    permit  lookups.yaml:4

        errored, counted as matched (0)

        errored, not counted (1)
          eu-desk          permit  lookups.yaml:8   when context.region.startsWith('eu'): \
        evaluation error at <input>:25: No matching overload for function 'startsWith'. \
        Overload candidates: starts_with_string

        condition false (1)
          vip-lookups      permit  lookups.yaml:12  when args.customerId == 'C-9999'

        principal differs (1)
          billing-lookups  permit  lookups.yaml:16  target agents [billing-assistant]

        not about this tool (1)
          billing-orders   permit  lookups.yaml:19  target tools [orders_*]
        """);
  }

  @Test
  void contextFlagsFeedTheConditions() throws IOException {
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--policies",
            candidate().toString(),
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer",
            "--args",
            "{\"customerId\":\"C-1001\"}",
            "--context",
            "region=eu",
            "--context",
            "channel=mcp",
            "--context",
            "declaredChannel=web");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "channel mcp\n",
            "          context {declaredChannel=web, region=eu}\n",
            "rules     support-reads, eu-desk\n",
            "errors    none\n",
            "matched (2)\n",
            "errored, not counted (0)\n");
  }

  @Test
  void refusesAChannelTheGatewayNeverSets() throws IOException {
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--policies",
            candidate().toString(),
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer",
            "--args",
            "{\"customerId\":\"C-1001\"}",
            "--context",
            "channel=web");

    assertThat(run.exitCode()).isEqualTo(PolicyInputs.ERROR_EXIT);
    assertThat(run.err())
        .contains(
            "'web' is not a channel of the gateway (rest, mcp, revert);"
                + " what a client says of its own channel is context.declaredChannel");
  }

  @Test
  void aGuardThatCannotBeEvaluatedIsCountedAsMatchedAndSaysSo() throws IOException {
    Files.writeString(
        dir.resolve("guard.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: support-reads
            effect: permit
            target: {agents: [support-assistant], tools: ["crm_*"]}
          - id: eu-only
            description: Customers are read from EU desks only.
            effect: forbid
            target: {tools: [crm_get_customer]}
            when: "!context.region.startsWith('eu')"
        """,
        StandardCharsets.UTF_8);
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--policies",
            dir.resolve("guard.yaml").toString(),
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer",
            "--args",
            "{\"customerId\":\"C-1001\"}");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "decision  deny\n",
            "rules     eu-only\n",
            "errored, counted as matched (1)\n",
            "  eu-only        forbid  guard.yaml:7  when !context.region.startsWith('eu'): evaluation error");
  }

  @Test
  void showsTheLogOnlyRulesWouldBeDecision() {
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--agent",
            "support-assistant",
            "--tool",
            "tickets_create",
            "--args",
            "{\"customerId\":\"C-1001\",\"subject\":\"Lost\",\"body\":\"Never arrived.\",\"priority\":\"urgent\"}");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "decision  deny\n",
            "rules     default-deny\n",
            "log-only  support-urgent-tickets-trial would allow (differs)\n",
            "  support-urgent-tickets-trial    permit, log-only  support.yaml:20  when args.priority == 'urgent'\n",
            "  support-open-tickets            permit            support.yaml:12  when args.priority != 'urgent'\n");
  }

  @Test
  void aVerifiedUserNeedsAPermitOfTheirOwn() {
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer",
            "--args",
            "{\"customerId\":\"C-1001\"}",
            "--user",
            "u-42",
            "--roles",
            "support,lead");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "user u-42 (verified)",
            "decision  deny\n",
            "reason    no rule permits user 'u-42' to call 'crm_get_customer'; the agent acts for that user and can do no"
                + " more than they may\n");
  }

  @Test
  void jsonListsTheDecisionAndEveryRuleInFileOrder() throws IOException {
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--policies",
            candidate().toString(),
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer",
            "--args",
            "{\"customerId\":\"C-1001\"}",
            "-o",
            "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = JsonMapper.builder().build().readTree(run.out());
    assertThat(json.at("/decision/effect").asString()).isEqualTo("allow");
    assertThat(json.at("/decision/rules").toString()).isEqualTo("[\"support-reads\"]");
    assertThat(json.at("/request/schemaViolations").toString()).isEqualTo("[]");
    assertThat(
            json.path("rules")
                .valueStream()
                .map(
                    r ->
                        r.path("id").asString()
                            + " "
                            + r.path("status").asString()
                            + " "
                            + r.path("source").asString())
                .toList())
        .containsExactly(
            "support-reads matched lookups.yaml:4",
            "eu-desk error lookups.yaml:8",
            "vip-lookups condition_false lookups.yaml:12",
            "billing-lookups principal_differs lookups.yaml:16",
            "billing-orders not_about_this_tool lookups.yaml:19");
  }

  @Test
  void argumentsTheSchemaRefusesAreExplainedWithANote() {
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer",
            "--args",
            "{\"customerId\":\"nope\"}");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(
            "note      the gateway refuses these arguments before policy decides: /customerId:");
  }

  @Test
  void unknownToolIsAClearErrorNamingTheTools() {
    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--agent",
            "support-assistant",
            "--tool",
            "crm_delete");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "error: no tool 'crm_delete' in the catalog of portcullis.yaml; its tools are"
                + " [crm_find_customer_by_email, crm_get_customer, orders_get, orders_list_for_customer, orders_refund,"
                + " tickets_create]\n");
  }

  @Test
  void unknownAgentAndBadJsonAreClearErrors() {
    CliRun agent =
        CliRun.of(
            "policy", "explain", "-c", DEMO, "--agent", "nobody", "--tool", "crm_get_customer");
    CliRun json =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer",
            "--args",
            "{customerId: 1}");

    assertThat(agent.exitCode()).isEqualTo(2);
    assertThat(agent.err())
        .isEqualTo(
            "error: no agent 'nobody' in portcullis.yaml; its agents are [support-assistant, billing-assistant]\n");
    assertThat(json.exitCode()).isEqualTo(2);
    assertThat(json.err())
        .startsWith("error: --args is not JSON: ")
        .endsWith("; quote it for the shell, e.g. --args '{\"customerId\":\"C-1001\"}'\n");
  }

  @Test
  void candidateThatDoesNotLoadListsItsProblems() throws IOException {
    Files.writeString(
        dir.resolve("bad.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: typo
            effect: permit
            target: {tools: [crm_get_custmer]}
        """,
        StandardCharsets.UTF_8);

    CliRun run =
        CliRun.of(
            "policy",
            "explain",
            "-c",
            DEMO,
            "--policies",
            dir.toString(),
            "--agent",
            "support-assistant",
            "--tool",
            "crm_get_customer");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith(
            "error: the candidate policies cannot be loaded against the catalog and agents of ")
        .contains(
            "  bad.yaml:6: rules[0].target.tools[0]: no tool named 'crm_get_custmer' is defined\n");
  }
}
