package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guard rule that a schema-valid call can make fail to evaluate (it reads an optional argument
 * without testing for it) loads, since it then holds (fails closed), but with a warning that names
 * the rule's line, the argument and the tools where it is optional.
 */
class PolicyWarningsTest {
  private static final String CONFIG =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: Gateway
      agents:
        - {id: bot, keys: [sha256:1111111111111111111111111111111111111111111111111111111111111111]}
      connectors:
        - {name: erp, type: http, baseUrl: "http://127.0.0.1:9/api"}
      tools:
        - name: refund
          description: Refunds an order.
          risk: write
          connector: erp
          http: {method: POST, path: /refunds}
          inputSchema:
            type: object
            properties: {orderId: {type: string}, amount: {type: number}, note: {type: string}}
            required: [orderId, amount]
      policies: [policies]
      """;

  @TempDir Path dir;

  private GatewayConfig load(String rules) throws Exception {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/rules.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - {id: bot-refunds, effect: permit, target: {agents: [bot], tools: [refund]}}
        """
            + rules);
    return ConfigLoader.load(Files.writeString(dir.resolve("portcullis.yaml"), CONFIG), Map.of());
  }

  @Test
  void warnsAboutAGuardReadingAnOptionalArgumentUntested() throws Exception {
    GatewayConfig config =
        load(
            """
          - id: no-rude-notes
            effect: forbid
            target: {tools: [refund]}
            when: "args.note.contains('idiot')"
        """);

    assertThat(config.policy().warnings())
        .containsExactly(
            "rules.yaml:8: rules[1].when: reads args.note, which a valid call of refund may leave out; this forbid rule"
                + " then cannot be evaluated and counts as matched. If that is not what you mean, test it first:"
                + " has(args.note) && ...");
  }

  @Test
  void saysNothingWhenTheArgumentIsRequiredOrTestedFirst() throws Exception {
    GatewayConfig config =
        load(
            """
          - id: big-refunds
            effect: require_approval
            target: {tools: [refund]}
            when: "args.amount > 100"
          - id: no-rude-notes
            effect: forbid
            target: {tools: [refund]}
            when: "has(args.note) && args.note.contains('idiot')"
          - id: noted-small-refunds
            effect: permit
            target: {agents: [bot], tools: [refund]}
            when: "args.note != '' && args.amount < 10"
        """);

    assertThat(config.policy().warnings()).isEmpty();
  }
}
