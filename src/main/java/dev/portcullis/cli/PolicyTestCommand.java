package dev.portcullis.cli;

import dev.portcullis.policy.RuleTrace;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis policy test FILE}: table-driven policy tests, for CI. */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = {
      "Run a table of policy tests: requests and the decisions expected for them.",
      "Prints PASS or FAIL per case (a failure shows expected against actual and",
      "the rules that matched), then 'N passed, M failed'.",
      "Exits 0 when every case passes, 1 when one fails, 2 when the test file,",
      "the configuration or the policies cannot be used."
    })
final class PolicyTestCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The policy test file (YAML, kind: PolicyTest).")
  Path file;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "CONFIG",
      description =
          "The gateway configuration to test against (default: the test file's 'config').")
  Path config;

  @Option(
      names = "--policies",
      paramLabel = "PATH",
      split = ",",
      arity = "1..*",
      description =
          "Candidate policy files or directories (default: the test file's 'policies', else the configuration's).")
  List<Path> policies;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also show the rules that matched for cases that pass.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isRegularFile(file)) {
      throw new CliException(
          "no policy test file at " + file + "; pass the path of a YAML test table",
          PolicyInputs.ERROR_EXIT);
    }
    PolicyTestFile table = PolicyTestFile.read(file);
    Path configFile =
        config != null
            ? config
            : table
                .config()
                .orElseThrow(
                    () ->
                        new CliException(
                            file
                                + " names no configuration; add 'config: PATH' (relative to the test file) or pass --config FILE",
                            PolicyInputs.ERROR_EXIT));
    List<Path> candidate = policies != null ? policies : table.policies();
    PolicyInputs inputs = PolicyInputs.load(configFile, candidate, System.getenv());
    List<PolicyTestFile.TestCase> cases = table.resolve(inputs, Instant.now());
    out.printf(
        "%s: %d cases against %s, policies %s (%d rules)%n",
        file.getFileName(),
        cases.size(),
        inputs.config().source().getFileName(),
        inputs.policy().version(),
        inputs.policy().rules().size());
    int passed = 0;
    int failed = 0;
    for (PolicyTestFile.TestCase c : cases) {
      Explained explained = Explained.of(inputs.policy(), c.invocation());
      List<Expectation.Mismatch> diff = c.expect().diff(explained.decision());
      if (diff.isEmpty()) {
        passed++;
        out.println("PASS " + c.name());
        if (verbose) {
          printRules(out, explained);
        }
        continue;
      }
      failed++;
      out.printf("FAIL %s (%s)%n", c.name(), c.source());
      for (Expectation.Mismatch m : diff) {
        out.printf("    %-9s expected %s%n", m.field(), m.expected());
        out.printf("    %-9s actual   %s%n", "", m.actual());
      }
      printRules(out, explained);
      out.printf("    %-9s %s%n", "reason", explained.decision().reason());
    }
    out.printf("%d passed, %d failed%n", passed, failed);
    return failed == 0 ? 0 : 1;
  }

  /**
   * The rules that matched (or "no rule", the default deny), then any that errored (guards, then
   * permits).
   */
  private static void printRules(PrintWriter out, Explained explained) {
    List<RuleTrace> matched = explained.with(RuleTrace.Status.MATCHED);
    if (matched.isEmpty()) {
      out.printf("    %-9s (no rule)%n", "matched");
    }
    printGroup(out, "matched", matched, false);
    printGroup(out, "errored", explained.with(RuleTrace.Status.ERROR_COUNTED_AS_MATCHED), true);
    printGroup(out, "errored", explained.with(RuleTrace.Status.ERROR), true);
  }

  private static void printGroup(
      PrintWriter out, String heading, List<RuleTrace> traces, boolean withDetail) {
    String label = heading;
    for (RuleTrace t : traces) {
      out.printf(
          "    %-9s %s%s%n", label, Explained.label(t.rule()), withDetail ? ": " + t.detail() : "");
      label = "";
    }
  }
}
