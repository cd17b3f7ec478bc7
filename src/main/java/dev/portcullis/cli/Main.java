package dev.portcullis.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code portcullis} command line. */
@Command(
    name = "portcullis",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "A governed runtime between AI agents and the systems they act on.")
public final class Main implements Runnable {
  /**
   * The subcommands by name, in the order {@code --help} lists them. Picocli reads a command's
   * whole class (options, nested commands, their static state) when the command is added, which for
   * all of them took longer than the rest of the JVM's start; a run that names one adds only that
   * one (see {@link #commandLine}).
   */
  static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

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
    CommandLine cli = commandLine(args);
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

  /**
   * The command line for {@code args}: with only the subcommand their first word names, when it
   * names one (parsing, help and errors are then what the full tree gives that subcommand); with
   * every subcommand otherwise, and for {@code help}, which needs them all to describe. Subcommands
   * are added before any setting, which picocli applies to the commands present.
   */
  static CommandLine commandLine(String... args) {
    CommandLine cli = new CommandLine(new Main());
    String first = args.length > 0 ? args[0] : "";
    Class<?> only = first.equals("help") ? null : SUBCOMMANDS.get(first);
    if (only != null) {
      cli.addSubcommand(only);
    } else {
      SUBCOMMANDS.values().forEach(cli::addSubcommand);
    }
    return cli;
  }

  private static Map<String, Class<?>> subcommands() {
    Map<String, Class<?>> all = new java.util.LinkedHashMap<>();
    all.put("serve", ServeCommand.class);
    all.put("demo", DemoCommand.class);
    all.put("audit", AuditCommand.class);
    all.put("config", ConfigCommand.class);
    all.put("policy", PolicyCommand.class);
    all.put("keygen", KeygenCommand.class);
    all.put("vault", VaultCommand.class);
    all.put("tools", ToolsCommand.class);
    all.put("approvals", ApprovalsCommand.class);
    all.put("invocations", InvocationsCommand.class);
    all.put("nodes", NodesCommand.class);
    all.put("sample", SampleCommand.class);
    all.put("help", CommandLine.HelpCommand.class);
    return java.util.Collections.unmodifiableMap(all);
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
