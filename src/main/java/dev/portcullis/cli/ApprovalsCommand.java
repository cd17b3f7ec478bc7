package dev.portcullis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis approvals …}: an approver lists, shows, approves and denies parked calls on a
 * running gateway, over its approval API. Security: the approver's key comes from {@code --key} or
 * {@code $PORTCULLIS_APPROVER_KEY} and is only ever sent to {@code --server}, never printed.
 */
@Command(
    name = "approvals",
    mixinStandardHelpOptions = true,
    description = "Decide the calls a policy holds for approval, on a running gateway.",
    subcommands = {
      ApprovalsCommand.ListApprovals.class,
      ApprovalsCommand.Show.class,
      ApprovalsCommand.Approve.class,
      ApprovalsCommand.Deny.class
    })
final class ApprovalsCommand implements Runnable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List approval requests (pending by default).")
  static final class ListApprovals implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ApproverApi common;

    @Option(
        names = "--status",
        paramLabel = "STATUS",
        defaultValue = "pending",
        description =
            "pending, approved, denied, expired or cancelled (default: ${DEFAULT-VALUE}).")
    String status;

    @Override
    public Integer call() {
      JsonNode list =
          common
              .call("GET", "/v1/approvals?status=" + ApproverApi.query(status), null)
              .path("approvals");
      PrintWriter out = spec.commandLine().getOut();
      if (list.isEmpty()) {
        out.printf("No %s approval requests.%n", status);
        return 0;
      }
      String row = "%-36s  %-9s  %-22s  %-20s  %-14s  %-20s%n";
      out.printf(row, "APPROVAL", "STATUS", "TOOL", "AGENT", "USER", "DEADLINE");
      for (JsonNode a : list) {
        out.printf(
            row,
            a.path("approvalId").asString(),
            a.path("status").asString(),
            a.path("tool").asString(),
            a.path("agent").asString(),
            a.at("/user/id").asString("-"),
            a.path("deadline").asString());
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one approval request and its call.")
  static final class Show implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ApproverApi common;

    @Parameters(index = "0", paramLabel = "ID", description = "The approval id.")
    String id;

    @Override
    public Integer call() {
      JsonNode a = common.call("GET", "/v1/approvals/" + ApproverApi.encode(id), null);
      PrintWriter out = spec.commandLine().getOut();
      Map<String, String> lines = new LinkedHashMap<>();
      lines.put("Approval", a.path("approvalId").asString());
      lines.put("Status", a.path("status").asString());
      lines.put(
          "Invocation",
          a.path("invocationId").asString() + " (" + a.path("invocationState").asString() + ")");
      lines.put("Tool", a.path("tool").asString());
      lines.put(
          "Agent", a.path("agent").asString() + " (tenant " + a.path("tenant").asString() + ")");
      lines.put("User", ApproverApi.user(a));
      lines.put(
          "Reasons",
          String.join(", ", a.path("reasons").valueStream().map(JsonNode::asString).toList()));
      lines.put("Policy", a.path("policyVersion").asString("-"));
      lines.put("Created", a.path("createdAt").asString());
      lines.put("Deadline", a.path("deadline").asString());
      if (a.has("decidedBy")) {
        lines.put(
            "Decided", a.path("decidedBy").asString() + " at " + a.path("decidedAt").asString());
      }
      if (a.has("decisionReason")) {
        lines.put("Reason", a.path("decisionReason").asString());
      }
      lines.put(
          "Approvals",
          a.path("approvals").asInt()
              + " of "
              + a.path("required").asInt(1)
              + (a.has("remaining") ? " (" + a.path("remaining").asInt() + " more needed)" : ""));
      for (JsonNode v : a.path("votes")) {
        lines.merge("Votes", vote(v), (x, y) -> x + "; " + y);
      }
      if (a.has("edited")) {
        lines.put(
            "Edited",
            "by " + a.at("/edited/by").asString() + " at " + a.at("/edited/at").asString());
      }
      lines.forEach((k, v) -> out.printf("%-11s %s%n", k + ":", v));
      out.printf("Arguments (digest %s):%n", a.path("argumentsDigest").asString());
      ApproverApi.indent(out, a.path("arguments"));
      if (a.has("edited")) {
        out.printf(
            "Original arguments, as the agent sent them (digest %s):%n",
            a.at("/edited/originalArgumentsDigest").asString());
        ApproverApi.indent(out, a.at("/edited/originalArguments"));
      }
      return 0;
    }
  }

  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description = {
        "Approve a request: the stored call runs once the request has all the approvals it needs.",
        "With --arguments (or --arguments-file) the call runs with these arguments instead, checked against the"
            + " tool's schema and the policy first; votes given to the earlier arguments no longer count."
      })
  static final class Approve implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ApproverApi common;

    @Parameters(index = "0", paramLabel = "ID", description = "The approval id.")
    String id;

    @Option(
        names = "--arguments",
        paramLabel = "JSON",
        description = "Edited arguments, a JSON object, to approve in place of the stored ones.")
    String arguments;

    @Option(
        names = "--arguments-file",
        paramLabel = "FILE",
        description = "Edited arguments, read from a JSON file.")
    Path argumentsFile;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded with the vote).")
    String reason;

    @Option(
        names = "--digest",
        paramLabel = "SHA256",
        description =
            "The arguments digest you reviewed ('approvals show'); refused if they were edited since.")
    String digest;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      JsonNode edited = edited();
      if (edited != null) {
        body.put("arguments", edited);
      }
      if (reason != null) {
        body.put("reason", reason);
      }
      if (digest != null) {
        body.put("argumentsDigest", digest);
      }
      JsonNode r =
          common.call(
              "POST",
              "/v1/approvals/" + ApproverApi.encode(id) + ":approve",
              JSON.writeValueAsString(body));
      PrintWriter out = spec.commandLine().getOut();
      if (r.has("remaining")) {
        out.printf(
            "approval %s: vote recorded (%d of %d); %d more approval(s) by other approvers needed%n",
            id,
            r.path("approvals").asInt(),
            r.path("required").asInt(),
            r.path("remaining").asInt());
        return 0;
      }
      out.printf(
          "approval %s %s by %s; invocation %s %s%n",
          id,
          r.path("status").asString(),
          r.path("decidedBy").asString(),
          r.path("invocationId").asString(),
          r.path("state").asString());
      if (r.has("result")) {
        ApproverApi.indent(out, r.path("result"));
      } else if (r.has("error")) {
        out.printf("  %s: %s%n", r.at("/error/title").asString(), r.at("/error/detail").asString());
      }
      return 0;
    }

    private JsonNode edited() {
      if (arguments != null && argumentsFile != null) {
        throw new CliException(
            "give the edited arguments once: --arguments or --arguments-file, not both");
      }
      String text = arguments;
      String from = "--arguments";
      if (argumentsFile != null) {
        try {
          text = Files.readString(argumentsFile, StandardCharsets.UTF_8);
          from = argumentsFile.toString();
        } catch (IOException e) {
          throw new CliException("cannot read " + argumentsFile + ": " + e.getMessage());
        }
      }
      if (text == null) {
        return null;
      }
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JacksonException e) {
        throw new CliException(from + " is not JSON: " + e.getOriginalMessage());
      }
      if (node == null || !node.isObject()) {
        throw new CliException(
            from + " must be a JSON object: the tool's arguments, as in 'approvals show'");
      }
      return node;
    }
  }

  @Command(
      name = "deny",
      mixinStandardHelpOptions = true,
      description = "Deny a request: the call never runs.")
  static final class Deny implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ApproverApi common;

    @Parameters(index = "0", paramLabel = "ID", description = "The approval id.")
    String id;

    @Option(
        names = "--reason",
        required = true,
        paramLabel = "TEXT",
        description = "Why; recorded and shown to the agent.")
    String reason;

    @Override
    public Integer call() {
      String body = JSON.writeValueAsString(Map.of("reason", reason));
      JsonNode r = common.call("POST", "/v1/approvals/" + ApproverApi.encode(id) + ":deny", body);
      spec.commandLine()
          .getOut()
          .printf(
              "approval %s denied by %s; invocation %s %s%n",
              id,
              r.path("decidedBy").asString(),
              r.path("invocationId").asString(),
              r.path("state").asString());
      return 0;
    }
  }

  private static String vote(JsonNode v) {
    return v.path("approver").asString()
        + " at "
        + v.path("at").asString()
        + (v.path("counts").asBoolean() ? "" : " (for earlier arguments; no longer counts)");
  }
}
