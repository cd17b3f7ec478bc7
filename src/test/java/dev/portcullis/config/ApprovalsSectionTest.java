package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.approval.ApprovalSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code approvals:} as loaded: the timeout, and how many approvers each tool needs. */
class ApprovalsSectionTest {
  private static final String HEAD =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: Gateway
      server:
        listen: 127.0.0.1:8080
      agents:
        - {id: bot, keys: [sha256:1111111111111111111111111111111111111111111111111111111111111111]}
      approvers:
        - {id: olivia, keys: [sha256:2222222222222222222222222222222222222222222222222222222222222222]}
        - {id: omar, keys: [sha256:3333333333333333333333333333333333333333333333333333333333333333]}
        - {id: oscar, keys: [sha256:4444444444444444444444444444444444444444444444444444444444444444]}
      connectors:
        - {name: erp, type: http, baseUrl: "http://127.0.0.1:9/api"}
      tools:
        - {name: acme_orders_refund, description: A tool., risk: write, connector: erp, http: {method: POST, path: /x}, inputSchema: {type: object}}
        - {name: acme_orders_get, description: A tool., risk: write, connector: erp, http: {method: POST, path: /x}, inputSchema: {type: object}}
        - {name: billing_invoice, description: A tool., risk: write, connector: erp, http: {method: POST, path: /x}, inputSchema: {type: object}}
        - {name: billing_wire, description: A tool., risk: write, connector: erp, http: {method: POST, path: /x}, inputSchema: {type: object}}
        - {name: hr_payroll_run, description: A tool., risk: write, connector: erp, http: {method: POST, path: /x}, inputSchema: {type: object}}
      """;

  @TempDir Path dir;

  @Test
  void whenSeveralEntriesMatchAToolTheLargestNumberApplies() throws Exception {
    ApprovalSettings settings =
        load(
            """
        approvals:
          timeout: 30m
          quorum:
            - {tools: [acme_orders_refund, "billing_*"], approvers: 2}
            - {tools: ["*_payroll_*", billing_wire], approvers: 3}
        """);

    assertThat(settings.timeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(settings.requiredApprovals("acme_orders_refund")).isEqualTo(2);
    assertThat(settings.requiredApprovals("billing_invoice")).isEqualTo(2);
    assertThat(settings.requiredApprovals("billing_wire")).isEqualTo(3);
    assertThat(settings.requiredApprovals("hr_payroll_run")).isEqualTo(3);
    assertThat(settings.requiredApprovals("acme_orders_get")).isEqualTo(1);
  }

  @Test
  void aQuorumNamingNoToolFailsTheLoad() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                load(
                    """
        approvals:
          quorum:
            - {tools: [acme_order_refund, "payroll_*"], approvers: 2}
        """));

    long line = HEAD.lines().count() + 3;
    assertThat(e.problems())
        .containsExactly(
            "portcullis.yaml:"
                + line
                + ": approvals.quorum[0].tools[0]: no tool named 'acme_order_refund' is defined",
            "portcullis.yaml:"
                + line
                + ": approvals.quorum[0].tools[1]: 'payroll_*' matches no defined tool");
  }

  @Test
  void withoutAQuorumEveryToolNeedsOneApprover() throws Exception {
    ApprovalSettings settings = load("approvals: {timeout: 1h}\n");

    assertThat(settings.quorum()).isEmpty();
    assertThat(settings.requiredApprovals("acme_orders_refund")).isEqualTo(1);
  }

  @Test
  void aQuorumMustBeReachableByTheApproversOfEveryTenant() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("tenants.yaml"),
            """
        apiVersion: portcullis.dev/v1alpha1
        kind: Gateway
        agents:
          - {id: acme-bot, tenant: acme, keys: [sha256:1111111111111111111111111111111111111111111111111111111111111111]}
          - {id: globex-bot, tenant: globex, keys: [sha256:5555555555555555555555555555555555555555555555555555555555555555]}
        approvers:
          - {id: olivia, tenants: [acme], keys: [sha256:2222222222222222222222222222222222222222222222222222222222222222]}
          - {id: omar, tenants: [globex], keys: [sha256:3333333333333333333333333333333333333333333333333333333333333333]}
          - {id: oscar, tenants: [globex], keys: [sha256:4444444444444444444444444444444444444444444444444444444444444444]}
        approvals:
          quorum:
            - {tools: [acme.orders_refund], approvers: 2}
        connectors: []
        tools: []
        """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "tenants.yaml:12: approvals.quorum[0].approvers: 2 approvers are required but only 1"
                + " are configured under approvers: for tenant acme, so these tools could never be approved there");
  }

  @Test
  void withSeveralTenantsANotificationChannelNamesItsOwnAndOnlyAgentsTenants() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("channels.yaml"),
            """
        apiVersion: portcullis.dev/v1alpha1
        kind: Gateway
        agents:
          - {id: acme-bot, tenant: acme, keys: [sha256:1111111111111111111111111111111111111111111111111111111111111111]}
          - {id: globex-bot, tenant: globex, keys: [sha256:5555555555555555555555555555555555555555555555555555555555555555]}
        approvers:
          - {id: olivia, tenants: [acme], keys: [sha256:2222222222222222222222222222222222222222222222222222222222222222]}
        approvals:
          notify:
            - {type: webhook, url: "http://127.0.0.1:9000/a", secret: "env:A"}
            - {type: webhook, url: "http://127.0.0.1:9000/b", secret: "env:B", tenants: [acme, initech]}
            - {type: webhook, name: globex-hook, url: "http://127.0.0.1:9000/c", secret: "env:C", tenants: [globex]}
        connectors: []
        tools: []
        """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "channels.yaml:10: approvals.notify[0]: 'tenants' is required: the agents are in"
                + " several tenants [acme, globex]; name the ones whose calls this channel"
                + " announces")
        .hasMessageContaining(
            "channels.yaml:11: approvals.notify[1].tenants[1]: no agent is in tenant 'initech'")
        .hasMessageNotContaining("notify[2]");
  }

  @Test
  void withOneTenantEveryApproverDecidesForIt() throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.yaml"), HEAD);

    assertThat(ConfigLoader.load(file, Map.of()).approvers())
        .allSatisfy(a -> assertThat(a.tenants()).containsExactly("default"));
  }

  private ApprovalSettings load(String approvals) throws Exception {
    Path file = Files.writeString(dir.resolve("portcullis.yaml"), HEAD + approvals);
    return ConfigLoader.load(file, Map.of()).approvals();
  }
}
