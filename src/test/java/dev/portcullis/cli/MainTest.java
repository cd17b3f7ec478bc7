package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A run that names one subcommand builds only that one, and sees what the whole tree gives it. */
class MainTest {

  @Test
  void eachSubcommandIsRegisteredUnderTheNameItsAnnotationGivesIt() {
    Main.SUBCOMMANDS.forEach(
        (name, type) ->
            assertThat(type.getAnnotation(CommandLine.Command.class).name())
                .as("the name of %s", type.getSimpleName())
                .isEqualTo(name));
  }

  @Test
  void aRunNamingOneSubcommandBuildsOnlyThatOne() {
    assertThat(Main.commandLine("serve", "--config", "x.yaml").getSubcommands().keySet())
        .containsExactly("serve");
    assertThat(Main.commandLine("vault", "list").getSubcommands().keySet())
        .containsExactly("vault");
  }

  @Test
  void helpAndRunsNamingNoSubcommandBuildThemAll() {
    var all = Main.SUBCOMMANDS.keySet().toArray(String[]::new);
    assertThat(Main.commandLine().getSubcommands().keySet()).containsExactly(all);
    assertThat(Main.commandLine("help", "serve").getSubcommands().keySet()).containsExactly(all);
    assertThat(Main.commandLine("--version").getSubcommands().keySet()).containsExactly(all);
    assertThat(Main.commandLine("servve").getSubcommands().keySet()).containsExactly(all);
  }

  @Test
  void aSubcommandBuiltAloneHasTheSameUsageAndNestedCommandsAsInTheWholeTree() {
    CommandLine whole = Main.commandLine();
    for (String name : Main.SUBCOMMANDS.keySet()) {
      if (name.equals("help")) {
        continue;
      }
      CommandLine alone = Main.commandLine(name).getSubcommands().get(name);
      CommandLine inTree = whole.getSubcommands().get(name);
      assertThat(alone.getUsageMessage()).as(name).isEqualTo(inTree.getUsageMessage());
      assertThat(alone.getCommandSpec().qualifiedName())
          .isEqualTo(inTree.getCommandSpec().qualifiedName());
      assertThat(alone.getSubcommands().keySet())
          .as(name)
          .containsExactlyElementsOf(inTree.getSubcommands().keySet());
    }
  }

  @Test
  void topLevelHelpStillListsEverySubcommand() {
    CliRun help = CliRun.of("--help");

    assertThat(help.exitCode()).isZero();
    Main.SUBCOMMANDS.keySet().forEach(name -> assertThat(help.out()).contains("  " + name));
  }

  @Test
  void anUnknownOptionOfANamedSubcommandIsRefusedAsBefore() {
    CliRun run = CliRun.of("serve", "--config", "x.yaml", "--no-such-option");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("Unknown option: '--no-such-option'")
        .contains("Usage: portcullis serve");
  }
}
