package dev.portcullis.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis invocations …}: an operator (a configured approver) lists stored calls by
 * state, shows one with its arguments and before-state, settles a call a crash left
 * needs-reconciliation, and reverts a completed write through its declared compensation, on a
 * running gateway. Security: the key comes from {@code --key} or {@code $PORTCULLIS_APPROVER_KEY},
 * as for {@code approvals}.
 */
@Command(
    name = "invocations",
    mixinStandardHelpOptions = true,
    description = "Settle interrupted calls and revert completed writes, on a running gateway.",
    subcommands = {
      InvocationsCommand.ListInvocations.class,
      InvocationsCommand.Show.class,
      InvocationsCommand.Settle.class,
      InvocationsCommand.Revert.class
    })
final class InvocationsCommand implements Runnable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List stored calls in one state (needs-reconciliation by default), oldest first.")
  static final class ListInvocations implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ApproverApi common;

    @Option(
        names = "--state",
        paramLabel = "STATE",
        defaultValue = "needs-reconciliation",
        description =
            "A state such as needs-reconciliation, completed, failed (default: ${DEFAULT-VALUE}).")
    String state;

    @Override
    public Integer call() {
      JsonNode list =
          common
              .call("GET", "/v1/invocations?state=" + ApproverApi.query(state), null)
              .path("invocations");
      PrintWriter out = spec.commandLine().getOut();
      if (list.isEmpty()) {
        out.printf("No %s invocations.%n", state);
        return 0;
      }
      String row = "%-36s  %-20s  %-24s  %-20s  %-14s  %-24s%n";
      out.printf(row, "INVOCATION", "STATE", "TOOL", "AGENT", "USER", "UPDATED");
      for (JsonNode i : list) {
        out.printf(
            row,
            i.path("invocationId").asString(),
            i.path("state").asString(),
            i.at("/tool/name").asString(),
            i.path("agent").asString(),
            i.at("/user/id").asString("-"),
            i.path("updatedAt").asString());
      }
      if (state.replace('_', '-').equalsIgnoreCase("needs-reconciliation")) {
        out.println(
            "Check each in the system behind its tool, then: portcullis invocations settle ID --as"
                + " completed|failed|cancelled --reason \"what you found\"");
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Show one stored call: who, what, its decision, history, before-state and outcome.")
  static final class Show implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ApproverApi common;

    @Parameters(index = "0", paramLabel = "ID", description = "The invocation id.")
    String id;

    @Override
    public Integer call() {
      JsonNode i = common.call("GET", "/v1/invocations/" + ApproverApi.encode(id), null);
      PrintWriter out = spec.commandLine().getOut();
      Map<String, String> lines = new LinkedHashMap<>();
      lines.put("Invocation", i.path("invocationId").asString());
      lines.put("State", i.path("state").asString());
      lines.put("Tool", i.at("/tool/name").asString());
      lines.put(
          "Agent", i.path("agent").asString() + " (tenant " + i.path("tenant").asString() + ")");
      lines.put("User", ApproverApi.user(i));
      lines.put("Channel", i.path("channel").asString());
      lines.put("Trace", i.path("traceId").asString());
      lines.put(
          "Decision",
          i.has("decision")
              ? i.at("/decision/effect").asString()
                  + " by "
                  + String.join(
                      ", ", i.at("/decision/rules").valueStream().map(JsonNode::asString).toList())
              : "-");
      lines.put("Received", i.path("receivedAt").asString());
      lines.put("Updated", i.path("updatedAt").asString());
      lines.forEach((k, v) -> out.printf("%-11s %s%n", k + ":", v));
      out.printf("Arguments (digest %s):%n", i.path("argumentsDigest").asString());
      ApproverApi.indent(out, i.path("arguments"));
      if (i.has("before")) {
        out.printf(
            "Before-state (read %s at %s, digest %s):%n",
            i.at("/before/tool").asString(),
            i.at("/before/capturedAt").asString(),
            i.at("/before/digest").asString());
        ApproverApi.indent(out, i.at("/before/state"));
      }
      if (i.has("result")) {
        out.println("Result:");
        ApproverApi.indent(out, i.path("result"));
      } else if (i.has("error")) {
        out.printf(
            "Error:      %s: %s%n",
            i.at("/error/kind").asString(), i.at("/error/detail").asString());
      }
      return 0;
    }
  }

  @Command(
      name = "settle",
      mixinStandardHelpOptions = true,
      description =
          "Settle a call a gateway restart left needs-reconciliation, after checking what happened upstream.")
  static final class Settle implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ApproverApi common;

    @Parameters(index = "0", paramLabel = "ID", description = "The invocation id.")
    String id;

    @Option(
        names = "--as",
        required = true,
        paramLabel = "OUTCOME",
        description =
            "completed (it took effect upstream), failed (it did not) or cancelled (voided).")
    String as;

    @Option(
        names = "--reason",
        required = true,
        paramLabel = "TEXT",
        description = "What you found; recorded in the audit log.")
    String reason;

    @Override
    public Integer call() {
      String body = JSON.writeValueAsString(Map.of("as", as, "reason", reason));
      JsonNode r =
          common.call("POST", "/v1/invocations/" + ApproverApi.encode(id) + ":settle", body);
      spec.commandLine()
          .getOut()
          .printf(
              "invocation %s settled as %s%n",
              r.path("invocationId").asString(), r.path("state").asString());
      return 0;
    }
  }

  @Command(
      name = "revert",
      mixinStandardHelpOptions = true,
      description =
          "Revert a completed write by running its declared compensation through the policy."
              + " Exits 1 when the compensation did not complete.")
  static final class Revert implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ApproverApi common;

    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "The id of the completed invocation to revert.")
    String id;

    @Override
    public Integer call() {
      JsonNode r =
          common.call("POST", "/v1/invocations/" + ApproverApi.encode(id) + ":revert", "{}");
      PrintWriter out = spec.commandLine().getOut();
      String state = r.path("state").asString();
      out.printf(
          "invocation %s: compensation %s (invocation %s) %s%n",
          id, r.path("tool").asString(), r.path("revertInvocationId").asString(), state);
      if (r.has("result")) {
        ApproverApi.indent(out, r.path("result"));
      } else if (r.has("approvalId")) {
        out.printf(
            "  awaits approval %s: portcullis approvals show %s%n",
            r.path("approvalId").asString(), r.path("approvalId").asString());
      } else if (r.has("error")) {
        out.printf("  %s: %s%n", r.at("/error/title").asString(), r.at("/error/detail").asString());
      }
      return state.equals("completed") || state.equals("awaiting-approval") ? 0 : 1;
    }
  }
}
