package dev.portcullis.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code portcullis} command line. */
@Command(
    name = "portcullis",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "A governed runtime between AI agents and the systems they act on.",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      AuditCommand.class,
      ConfigCommand.class,
      PolicyCommand.class,
      KeygenCommand.class,
      VaultCommand.class,
      ToolsCommand.class,
      ApprovalsCommand.class,
      InvocationsCommand.class,
      SampleCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String... args) {
    var utf8 = java.nio.charset.StandardCharsets.UTF_8;
    return run(
        new java.io.PrintWriter(new java.io.OutputStreamWriter(System.out, utf8), true),
        new java.io.PrintWriter(new java.io.OutputStreamWriter(System.err, utf8), true),
        args);
  }

  /**
   * Runs the command line with its output going to {@code out} and {@code err} (tests use this).
   */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          if (e instanceof CliException failure) {
            commandLine.getErr().println("error: " + e.getMessage());
            return failure.exitCode();
          }
          throw e;
        });
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints the build version. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"portcullis " + Version.current()};
    }
  }
}
