package dev.portcullis.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code portcullis policy …}: the tools for people who write policies. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = {
      "Test, explain and replay policies before they are put in force.",
      "Exit codes: 0 done; 1 a test failed, or a decision would change",
      "(replay --fail-on-change); 2 the inputs cannot be used (a configuration,",
      "policy or test file with problems, a missing audit log)."
    },
    subcommands = {PolicyTestCommand.class, PolicyExplainCommand.class, PolicyReplayCommand.class})
final class PolicyCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** How a command prints its result. */
  enum Format {
    TEXT,
    JSON
  }
}
