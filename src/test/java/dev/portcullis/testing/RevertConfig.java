package dev.portcullis.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A gateway configuration for before-state and revert tests: the demo's billing agent and approvers
 * in front of Acme, with {@code orders_refund} declaring its before-state ({@code orders_get}) and
 * its compensation ({@code orders_refund_cancel}), and a policy that lets the operator revert
 * refunds, unless {@code forbidReverts}, or only once approved.
 */
public final class RevertConfig {
  private RevertConfig() {}

  /** Writes the configuration and its policy under {@code dir}; answers the configuration file. */
  public static Path write(Path dir, boolean forbidReverts) {
    return write(dir, forbidReverts ? FORBID : "");
  }

  /** As {@link #write(Path, boolean)}, reverts needing an approver's approval. */
  public static Path writeApprovingReverts(Path dir) {
    return write(dir, APPROVE);
  }

  private static Path write(Path dir, String extraRules) {
    try {
      Files.createDirectories(dir.resolve("policies"));
      Files.writeString(dir.resolve("portcullis.yaml"), CONFIG, StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve("policies/billing.yaml"), POLICY + extraRules, StandardCharsets.UTF_8);
      return dir.resolve("portcullis.yaml");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String CONFIG =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: Gateway
      agents:
        - id: billing-assistant
          tenant: acme
          keys: [sha256:97de87c8f16e89fce9d3f7b4903404e7038529b933f2ef38f218d7f56d42ae05]
      approvers:
        - id: ops-olivia
          keys: [sha256:e76daf5eb80d0629b7dd16117179f84d57fe79baccc82b46cbf4e03745c53e35]
        - id: ops-omar
          keys: [sha256:d6a4ba360dca7e67606b0997192b1864d0d2595d1fa74cc7716d4af33eb28100]
      connectors:
        - name: acme
          type: http
          baseUrl: ${ACME_URL}
          auth: {type: bearer, secret: "file:secrets/acme-api-token"}
      tools:
        - name: orders_get
          description: Returns one order by id.
          risk: read
          connector: acme
          http: {method: GET, path: "/orders/{orderId}"}
          result: {fields: [/id, /total, /status]}
          inputSchema:
            type: object
            properties:
              orderId: {type: string, pattern: "^O-[0-9]{4}$"}
            required: [orderId]
        - name: orders_refund
          description: Issues a refund of part or all of an order's total.
          risk: write
          connector: acme
          http: {method: POST, path: "/orders/{orderId}/refunds"}
          before:
            tool: orders_get
            arguments: {orderId: "{args.orderId}"}
          compensate:
            tool: orders_refund_cancel
            arguments:
              orderId: "{args.orderId}"
              refundId: "{result.refundId}"
              reason: "reverts a refund of {args.amount}; order was {before.status}"
          inputSchema:
            type: object
            properties:
              orderId: {type: string, pattern: "^O-[0-9]{4}$"}
              amount: {type: number, exclusiveMinimum: 0, maximum: 10000}
              reason: {type: string, minLength: 3, maxLength: 500}
            required: [orderId, amount, reason]
        - name: orders_refund_cancel
          description: Cancels an issued refund.
          risk: write
          connector: acme
          http: {method: POST, path: "/orders/{orderId}/refunds/{refundId}/cancel"}
          inputSchema:
            type: object
            properties:
              orderId: {type: string, pattern: "^O-[0-9]{4}$"}
              refundId: {type: string, pattern: "^R-[0-9]+$"}
              reason: {type: string, minLength: 3, maxLength: 500}
            required: [orderId, refundId, reason]
      policies: [policies/]
      """;

  private static final String POLICY =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: PolicySet
      rules:
        - id: billing-orders
          effect: permit
          target:
            agents: [billing-assistant]
            tools: ["orders_*"]
        - id: operators-revert-refunds
          description: An operator may cancel a refund, only to revert one.
          effect: permit
          target:
            users: {roles: [operator]}
            tools: [orders_refund_cancel]
          when: context.channel == 'revert'
      """;

  private static final String APPROVE =
      """
        - id: reverts-need-approval
          effect: require_approval
          target:
            tools: [orders_refund_cancel]
      """;

  private static final String FORBID =
      """
        - id: no-reverts
          description: Refunds are never cancelled through the gateway.
          effect: forbid
          target:
            tools: [orders_refund_cancel]
      """;
}
