package dev.portcullis.cli;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.store.Database;
import dev.portcullis.store.JdbcAuditLog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis policy replay}: what a candidate policy set would have decided on past calls.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Replay the audit log against candidate policies; report changed decisions.",
      "Every call the policy decided is decided again with the candidate set; each",
      "decision that would change is reported, grouped by the rule that decided",
      "under the candidate, by agent and by tool. Only reads the log, so it can run",
      "beside a gateway. Exits 0 (it is a report), or 1 with --fail-on-change when",
      "a decision would change; 2 when the inputs or the audit log cannot be used."
    })
final class PolicyReplayCommand implements Callable<Integer> {
  private static final JsonMapper PRETTY =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "CONFIG",
      description =
          "The gateway configuration: its catalog and agents (and its policies, without --policies).")
  Path config;

  @Option(
      names = "--policies",
      paramLabel = "PATH",
      split = ",",
      arity = "1..*",
      description =
          "The candidate policy files or directories (default: the configuration's, to compare the log with the policies in force).")
  List<Path> policies;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "DIR",
      description = "The data directory (default: $PORTCULLIS_DATA, else ./data).")
  Path data;

  @Mixin StoreOptions store = new StoreOptions();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default) or json (every change, not only examples).")
  PolicyCommand.Format output;

  @Option(
      names = "--examples",
      paramLabel = "N",
      defaultValue = "3",
      description = "Example invocation ids per group (default 3).")
  int examples;

  @Option(
      names = "--fail-on-change",
      description = "Exit 1 when any decision would change (for CI).")
  boolean failOnChange;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (examples < 0) {
      throw new CliException("--examples must be 0 or more", PolicyInputs.ERROR_EXIT);
    }
    Map<String, String> env = System.getenv();
    PolicyInputs inputs = PolicyInputs.load(config, policies, env);
    Path dir = DataDirectory.resolve(data, env);
    Database db;
    try {
      db = store.open(dir, env, "audit log");
    } catch (CliException e) {
      throw new CliException(e.getMessage(), PolicyInputs.ERROR_EXIT);
    }
    PolicyReplay.Report report;
    try (db) {
      AuditLog log = new JdbcAuditLog(db, JsonMapper.builder().build());
      report = PolicyReplay.run(log, inputs, n -> err.printf("  … %,d records read%n", n));
    } catch (AuditLog.AuditUnavailableException | IllegalStateException e) {
      throw new CliException(
          "cannot read the audit log in " + dir + ": " + e.getMessage(), PolicyInputs.ERROR_EXIT);
    }
    if (output == PolicyCommand.Format.JSON) {
      out.println(PRETTY.writeValueAsString(json(dir, inputs, report)));
    } else {
      text(out, dir, inputs, report);
    }
    return failOnChange && !report.changes().isEmpty() ? 1 : 0;
  }

  private void text(PrintWriter out, Path dir, PolicyInputs inputs, PolicyReplay.Report r) {
    out.printf(
        "replayed the audit log in %s (%,d records) against policies %s (%d rules)%n",
        dir, r.records(), inputs.policy().version(), inputs.policy().rules().size());
    out.printf(
        "  %-22s %s: %,d unchanged, %,d changed%n",
        "replayed", calls(r.replayed()), r.unchanged(), r.changes().size());
    out.printf("  %-22s %s%n", "skipped", calls(r.skippedTotal()));
    for (PolicyReplay.Skip s : PolicyReplay.Skip.values()) {
      long n = r.skipped().getOrDefault(s, 0L);
      if (n > 0) {
        out.printf("  %-22s   %,d: %s%n", "", n, s.description());
      }
    }
    out.printf(
        "  %-22s %s (unknown tool, invalid arguments, or ended before the policy stage)%n",
        "not decided by policy", calls(r.notDecided()));
    out.println();
    if (r.changes().isEmpty()) {
      out.println("no decision would change.");
      return;
    }
    groups(out, "changes by rule (the rules that decided under the candidate)", r.byRule(examples));
    out.println();
    groups(out, "changes by agent", r.byAgent(examples));
    out.println();
    groups(out, "changes by tool", r.byTool(examples));
  }

  private static String calls(long n) {
    return String.format(java.util.Locale.ROOT, "%,d %s", n, n == 1 ? "call" : "calls");
  }

  private static void groups(PrintWriter out, String heading, List<PolicyReplay.Group> groups) {
    out.println(heading);
    int width = groups.stream().mapToInt(g -> g.key().length()).max().orElse(0);
    int countWidth =
        groups.stream().mapToInt(g -> String.valueOf(g.count()).length()).max().orElse(1);
    for (PolicyReplay.Group g : groups) {
      List<String> transitions =
          g.transitions().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
      out.println(
          ("  %-" + width + "s  %" + countWidth + "d  %s")
              .formatted(g.key(), g.count(), String.join(", ", transitions)));
      if (!g.examples().isEmpty()) {
        out.println("      e.g. " + String.join(", ", g.examples()));
      }
    }
  }

  private static Map<String, Object> group(PolicyReplay.Group g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", g.key());
    m.put("changes", g.count());
    m.put(
        "transitions",
        g.transitions().entrySet().stream()
            .map(
                e -> {
                  String[] fromTo = e.getKey().split("→", 2);
                  Map<String, Object> t = new LinkedHashMap<>();
                  t.put("from", fromTo[0]);
                  t.put("to", fromTo[1]);
                  t.put("count", e.getValue());
                  return t;
                })
            .toList());
    m.put("examples", g.examples());
    return m;
  }

  private Map<String, Object> json(Path dir, PolicyInputs inputs, PolicyReplay.Report r) {
    Map<String, Object> candidate = new LinkedHashMap<>();
    candidate.put("paths", inputs.policyPaths().stream().map(Path::toString).toList());
    candidate.put("version", inputs.policy().version());
    Map<String, Object> skipped = new LinkedHashMap<>();
    for (PolicyReplay.Skip s : PolicyReplay.Skip.values()) {
      skipped.put(s.wireName(), r.skipped().getOrDefault(s, 0L));
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("records", r.records());
    summary.put("replayed", r.replayed());
    summary.put("unchanged", r.unchanged());
    summary.put("changed", r.changes().size());
    summary.put("skipped", skipped);
    summary.put("notDecidedByPolicy", r.notDecided());
    summary.put("recordedPolicyVersions", r.recordedVersions().stream().sorted().toList());
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("auditLog", dir.toString());
    root.put("candidate", candidate);
    root.put("summary", summary);
    root.put("byRule", r.byRule(examples).stream().map(PolicyReplayCommand::group).toList());
    root.put("byAgent", r.byAgent(examples).stream().map(PolicyReplayCommand::group).toList());
    root.put("byTool", r.byTool(examples).stream().map(PolicyReplayCommand::group).toList());
    root.put(
        "changes",
        r.changes().stream()
            .map(
                c -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("invocationId", c.invocationId());
                  m.put("recordedAt", c.recordedAt().toString());
                  m.put("agent", c.agent());
                  m.put("user", c.user());
                  m.put("tool", c.tool());
                  m.put("from", c.from().wireName());
                  m.put("to", c.to().wireName());
                  m.put("rules", c.rules());
                  m.put("recordedReasons", c.recordedReasons());
                  m.put("recordedPolicyVersion", c.recordedPolicyVersion());
                  return m;
                })
            .toList());
    return root;
  }
}
