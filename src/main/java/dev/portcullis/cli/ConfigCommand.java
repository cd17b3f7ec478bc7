package dev.portcullis.cli;

import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.NormalizedConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis config …}: check a configuration without starting anything. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Work with gateway configuration files.",
    subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code portcullis config check}. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Validate a configuration: every field, schema and condition, as 'serve' would.",
        "Exits 0 when it loads, 1 listing every problem with its line. Use it in CI."
      })
  static final class Check implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "The configuration to check.")
    Path config;

    @Option(
        names = "--print",
        description = "Print the normalised configuration (every default filled in) as JSON.")
    boolean print;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      GatewayConfig cfg = ConfigFiles.load(config, System.getenv());
      if (print) {
        out.print(NormalizedConfig.render(cfg));
      } else {
        out.printf(
            "ok: %s loads (%d tools, %d agents, %d connectors, %d policy rules; sha256 %s)%n",
            config,
            cfg.tools().size(),
            cfg.agents().size(),
            cfg.connectors().size(),
            cfg.policy().rules().size(),
            cfg.hash());
      }
      // Warnings go to stderr, so --print stays valid JSON; they never fail the check.
      cfg.policy().warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
      return 0;
    }
  }
}
