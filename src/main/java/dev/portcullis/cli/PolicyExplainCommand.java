package dev.portcullis.cli;

import dev.portcullis.edge.EdgeJson;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.ShadowDecision;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.RuleTrace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** {@code portcullis policy explain}: one request in, its decision and how every rule fared. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Decide one request and show how every rule fared.",
      "Prints the decision (effect, rules, reason, errors, log-only would-be",
      "decisions), then every rule with its source, grouped: matched, errored,",
      "condition false, principal differs, not about this tool.",
      "Exits 0 when explained, 2 on bad input."
    })
final class PolicyExplainCommand implements Callable<Integer> {
  private static final JsonMapper PRETTY =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "CONFIG",
      description = "The gateway configuration.")
  Path config;

  @Option(
      names = "--policies",
      paramLabel = "PATH",
      split = ",",
      arity = "1..*",
      description = "Candidate policy files or directories (default: the configuration's).")
  List<Path> policies;

  @Option(
      names = "--agent",
      required = true,
      paramLabel = "AGENT",
      description = "The calling agent (a configured agent id).")
  String agent;

  @Option(
      names = "--tool",
      required = true,
      paramLabel = "TOOL",
      description = "The tool called (a catalog tool name).")
  String tool;

  @Option(
      names = "--args",
      paramLabel = "JSON",
      defaultValue = "{}",
      description = "The arguments, a JSON object (default: {}).")
  String args;

  @Option(
      names = "--user",
      paramLabel = "ID",
      description = "A verified delegating user (then agent ∩ user applies).")
  String user;

  @Option(
      names = "--roles",
      paramLabel = "ROLE",
      split = ",",
      description = "The user's roles, comma-separated.")
  List<String> roles;

  @Option(
      names = "--groups",
      paramLabel = "GROUP",
      split = ",",
      description = "The user's groups, comma-separated.")
  List<String> groups;

  @Option(
      names = "--context",
      paramLabel = "KEY=VALUE",
      description =
          "Policy context (repeatable): role=…, region=…, declaredChannel=… (a REST client's actor.channel);"
              + " channel=rest|mcp|revert sets the door the call came in by (default rest), time=… its instant (default now).")
  Map<String, String> context;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default) or json.")
  PolicyCommand.Format output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (user == null && (roles != null || groups != null)) {
      throw new CliException(
          "--roles and --groups describe a user; add --user ID", PolicyInputs.ERROR_EXIT);
    }
    JsonNode arguments;
    try {
      arguments = EdgeJson.strictMapper().readTree(args);
    } catch (JacksonException e) {
      throw new CliException(
          "--args is not JSON: "
              + e.getOriginalMessage()
              + "; quote it for the shell, e.g. --args '{\"customerId\":\"C-1001\"}'",
          PolicyInputs.ERROR_EXIT);
    }
    PolicyInputs inputs = PolicyInputs.load(config, policies, System.getenv());
    PolicyRequest request =
        new PolicyRequest(
            agent,
            user == null
                ? null
                : new PolicyRequest.User(user, null, orEmpty(roles), orEmpty(groups)),
            tool,
            arguments,
            context == null ? Map.of() : context);
    Invocation inv;
    List<String> violations;
    try {
      inv = request.resolve(inputs, Instant.now());
      violations = request.schemaViolations(inputs);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), PolicyInputs.ERROR_EXIT);
    }
    Explained explained = Explained.of(inputs.policy(), inv);
    if (output == PolicyCommand.Format.JSON) {
      out.println(PRETTY.writeValueAsString(json(inv, explained, violations)));
    } else {
      text(out, inv, explained, violations);
    }
    return 0;
  }

  private static Set<String> orEmpty(List<String> values) {
    return values == null ? Set.of() : Set.copyOf(values);
  }

  private static void text(
      PrintWriter out, Invocation inv, Explained explained, List<String> violations) {
    Decision d = explained.decision();
    out.printf(
        "request   agent %s (tenant %s), tool %s, %s, channel %s%n",
        inv.agent().id(),
        inv.tenant(),
        inv.toolName(),
        inv.user() == null ? "no user" : "user " + inv.user().id() + " (verified)",
        inv.channel());
    out.printf("          args %s%n", inv.arguments());
    if (!inv.policyContext().isEmpty()) {
      out.printf("          context %s%n", new java.util.TreeMap<>(inv.policyContext()));
    }
    if (!violations.isEmpty()) {
      out.println(
          "note      the gateway refuses these arguments before policy decides: "
              + String.join("; ", violations));
    }
    out.println();
    out.println("decision  " + d.effect().wireName());
    out.println("rules     " + String.join(", ", d.ruleIds()));
    out.println("reason    " + d.reason());
    out.println("errors    " + (d.errors().isEmpty() ? "none" : String.join("; ", d.errors())));
    out.println(
        "log-only  "
            + (d.shadows().isEmpty()
                ? "none"
                : String.join(
                    "; ",
                    d.shadows().stream()
                        .map(
                            s ->
                                s.ruleId()
                                    + " would "
                                    + s.wouldBe().wireName()
                                    + (s.flips() ? " (differs)" : " (same)"))
                        .toList())));
    out.println("policy    " + d.policyVersion());
    int idWidth = explained.traces().stream().mapToInt(t -> t.rule().id().length()).max().orElse(0);
    int effectWidth =
        explained.traces().stream()
            .mapToInt(t -> Explained.effect(t.rule()).length())
            .max()
            .orElse(0);
    int sourceWidth =
        explained.traces().stream().mapToInt(t -> t.rule().source().length()).max().orElse(0);
    for (RuleTrace.Status status : Explained.GROUPS) {
      List<RuleTrace> group = explained.with(status);
      out.println();
      out.printf("%s (%d)%n", Explained.heading(status), group.size());
      for (RuleTrace t : group) {
        Rule r = t.rule();
        String why = Explained.why(t);
        out.println(
            ("  %-" + idWidth + "s  %-" + effectWidth + "s  %-" + sourceWidth + "s  %s")
                .formatted(r.id(), Explained.effect(r), r.source(), why)
                .stripTrailing());
      }
    }
  }

  private static Map<String, Object> json(
      Invocation inv, Explained explained, List<String> violations) {
    Decision d = explained.decision();
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("agent", inv.agent().id());
    request.put("tenant", inv.tenant());
    request.put("tool", inv.toolName());
    request.put(
        "user",
        inv.user() == null
            ? null
            : Map.of(
                "id",
                inv.user().id(),
                "roles",
                inv.user().roles().stream().sorted().toList(),
                "groups",
                inv.user().groups().stream().sorted().toList(),
                "verified",
                true));
    request.put("channel", inv.channel());
    request.put("args", inv.arguments());
    request.put("context", new java.util.TreeMap<>(inv.policyContext()));
    request.put("schemaViolations", violations);
    Map<String, Object> decision = new LinkedHashMap<>();
    decision.put("effect", d.effect().wireName());
    decision.put("rules", d.ruleIds());
    decision.put("reason", d.reason());
    decision.put("errors", d.errors());
    decision.put("logOnly", d.shadows().stream().map(PolicyExplainCommand::shadow).toList());
    decision.put("policyVersion", d.policyVersion());
    List<Map<String, Object>> rules =
        explained.traces().stream()
            .map(
                t -> {
                  Map<String, Object> r = new LinkedHashMap<>();
                  r.put("id", t.rule().id());
                  r.put("effect", t.rule().effect().name().toLowerCase(java.util.Locale.ROOT));
                  r.put("mode", t.rule().mode().name().toLowerCase(java.util.Locale.ROOT));
                  r.put("source", t.rule().source());
                  r.put("status", Explained.wireName(t.status()));
                  r.put("detail", Explained.why(t));
                  return r;
                })
            .toList();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("request", request);
    root.put("decision", decision);
    root.put("rules", rules);
    return root;
  }

  private static Map<String, Object> shadow(ShadowDecision s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rule", s.ruleId());
    m.put("wouldBe", s.wouldBe().wireName());
    m.put("differs", s.flips());
    return m;
  }
}
