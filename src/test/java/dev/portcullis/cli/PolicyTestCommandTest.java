package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis policy test}: the demo's table, failures as diffs, and files that cannot be
 * used.
 */
class PolicyTestCommandTest {
  private static final String DEMO_CONFIG = GatewayFixture.DEMO_CONFIG.toAbsolutePath().toString();

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void demoTablePassesEveryCaseAndExitsZero() {
    CliRun run = CliRun.of("policy", "test", "examples/demo/policy-tests.yaml");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out().lines().filter(l -> l.startsWith("PASS "))).hasSize(9);
    assertThat(run.out()).doesNotContain("FAIL").endsWith("9 passed, 0 failed\n");
    assertThat(run.out())
        .startsWith("policy-tests.yaml: 9 cases against portcullis.yaml, policies sha256:");
  }

  @Test
  void failingCasePrintsExpectedAgainstActualWithTheMatchedRulesAndExitsOne() throws IOException {
    Path table =
        write(
            "tests.yaml",
            """
        config: %s
        cases:
          - name: billing reads an order
            request: {agent: billing-assistant, tool: orders_get, args: {orderId: O-5001}}
            expect: {effect: allow, rules: [billing-orders]}
          - name: a refund of 250 goes straight through
            request:
              agent: billing-assistant
              tool: orders_refund
              args: {orderId: O-5001, amount: 250, reason: late delivery}
            expect:
              effect: allow
              rules: [billing-orders]
              reason: permitted
        """
                .formatted(DEMO_CONFIG));

    CliRun run = CliRun.of("policy", "test", table.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains(
            """
        PASS billing reads an order
        FAIL a refund of 250 goes straight through (tests.yaml:6)
            effect    expected allow
                      actual   require_approval
            rules     expected [billing-orders]
                      actual   [refunds-over-100-need-approval]
            reason    expected contains "permitted"
                      actual   "needs a human approval: rule refunds-over-100-need-approval: A refund over 100 needs a person to approve it."
            matched   billing-orders (permit, billing.yaml:5)
                      refunds-over-100-need-approval (require_approval, billing.yaml:12)
            reason    needs a human approval: rule refunds-over-100-need-approval: A refund over 100 needs a person to approve it.
        1 passed, 1 failed
        """);
  }

  @Test
  void logOnlyAndErroredRulesAreComparedExactly() throws IOException {
    write(
        "policies/tickets.yaml",
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: tickets-in-the-eu
            effect: permit
            target: {agents: [support-assistant], tools: [tickets_create]}
            when: context.region.startsWith('eu')
          - id: urgent-trial
            effect: permit
            mode: log_only
            target: {agents: [support-assistant], tools: [tickets_create]}
            when: args.priority == 'urgent'
        """);
    Path table =
        write(
            "tests.yaml",
            """
        config: %s
        policies: [policies/]
        cases:
          - name: no region, so the condition errors and nothing permits
            request:
              agent: support-assistant
              tool: tickets_create
              args: {customerId: C-1001, subject: Lost parcel, body: Never arrived., priority: urgent}
            expect:
              effect: deny
              errors: [tickets-in-the-eu]
              logOnly: {urgent-trial: deny}
        """
                .formatted(DEMO_CONFIG));

    CliRun run = CliRun.of("policy", "test", table.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains(
            """
        FAIL no region, so the condition errors and nothing permits (tests.yaml:4)
            logOnly   expected {urgent-trial=deny}
                      actual   {urgent-trial=allow}
            matched   urgent-trial (permit, log-only, tickets.yaml:8)
            errored   tickets-in-the-eu (permit, tickets.yaml:4): \
        evaluation error at <input>:25: No matching overload for function 'startsWith'. Overload candidates: starts_with_string
        """);
  }

  @Test
  void configOptionOverridesTheTablesConfiguration() throws IOException {
    Path table =
        write(
            "tests.yaml",
            """
        config: no-such-config.yaml
        cases:
          - name: support reads a customer
            request: {agent: support-assistant, tool: crm_get_customer, args: {customerId: C-1001}}
            expect: {effect: allow}
        """);

    CliRun run = CliRun.of("policy", "test", table.toString(), "--config", DEMO_CONFIG);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).endsWith("1 passed, 0 failed\n");
  }

  @Test
  void unreadableTableNamesEveryProblemWithItsLineAndExitsTwo() throws IOException {
    Path table =
        write(
            "tests.yaml",
            """
        config: %s
        cases:
          - name: typo in the effect
            request: {agent: support-assistant, tool: crm_get_customer, args: {customerId: C-1001}}
            expect:
              effect: alow
              rulez: [support-read-crm]
          - request: {tool: crm_get_customer}
            expect: {effect: deny}
        """
                .formatted(DEMO_CONFIG));

    CliRun run = CliRun.of("policy", "test", table.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "error: the policy test file "
                + table
                + " cannot be used:\n"
                + "  tests.yaml:6: cases[0].expect.effect: 'alow' is not one of [allow, deny, require_approval]\n"
                + "  tests.yaml:7: cases[0].expect.rulez: unknown field 'rulez'; expected one of [effect, errors, logOnly, reason, rules]\n"
                + "  tests.yaml:8: cases[1].name: is required\n"
                + "  tests.yaml:8: cases[1].request.agent: is required\n");
  }

  @Test
  void requestsTheConfigurationCannotTakeAreErrorsWithTheirLines() throws IOException {
    Path table =
        write(
            "tests.yaml",
            """
        config: %s
        cases:
          - name: unknown agent and tool
            request: {agent: nobody, tool: crm_get}
            expect: {effect: deny}
          - name: arguments the schema refuses never reach policy
            request: {agent: support-assistant, tool: crm_get_customer, args: {customerId: 1001}}
            expect: {effect: deny}
        """
                .formatted(DEMO_CONFIG));

    CliRun run = CliRun.of("policy", "test", table.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "  tests.yaml:4: cases[0].request.agent: no agent 'nobody' in portcullis.yaml;"
                + " its agents are [support-assistant, billing-assistant]\n",
            "  tests.yaml:4: cases[0].request.tool: no tool 'crm_get' in the catalog of portcullis.yaml; its tools are [",
            "  tests.yaml:7: cases[1].request.args: the gateway refuses these arguments before policy decides:"
                + " /customerId: integer found, string expected\n");
  }

  @Test
  void notYamlIsAnErrorWithItsLine() throws IOException {
    Path table = write("tests.yaml", "cases:\n  - name: [unclosed\n");

    CliRun run = CliRun.of("policy", "test", table.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("error: the policy test file " + table + " cannot be used:\n  tests.yaml:");
    assertThat(run.err()).contains("not valid YAML");
  }

  @Test
  void tableWithoutAConfigurationSaysHowToNameOne() throws IOException {
    Path table =
        write(
            "tests.yaml",
            """
        cases:
          - name: support reads a customer
            request: {agent: support-assistant, tool: crm_get_customer, args: {customerId: C-1001}}
            expect: {effect: allow}
        """);

    CliRun run = CliRun.of("policy", "test", table.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "error: "
                + table
                + " names no configuration; add 'config: PATH' (relative to the test file) or pass --config FILE\n");
  }

  @Test
  void missingTableIsAnError() {
    CliRun run = CliRun.of("policy", "test", dir.resolve("nope.yaml").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("error: no policy test file at ");
  }
}
