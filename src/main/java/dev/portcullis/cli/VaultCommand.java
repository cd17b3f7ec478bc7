package dev.portcullis.cli;

import dev.portcullis.store.Database;
import dev.portcullis.store.JdbcSecretStore;
import dev.portcullis.vault.EnvelopeCipher;
import dev.portcullis.vault.SecretStore;
import dev.portcullis.vault.Vault;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis vault …}: the embedded credential vault, like {@code vault kv} for a data
 * directory. Values are read from stdin or a file and never printed back. Works while a gateway
 * runs on the same data directory: it sees a rotation or revocation on its next call.
 */
@Command(
    name = "vault",
    mixinStandardHelpOptions = true,
    description = "Manage the secrets connectors use; agents never see them.",
    subcommands = {
      VaultCommand.InitKey.class,
      VaultCommand.Put.class,
      VaultCommand.Rotate.class,
      VaultCommand.Revoke.class,
      VaultCommand.ListSecrets.class
    })
final class VaultCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every vault command shares. */
  static class Common {
    @Option(
        names = {"-d", "--data"},
        paramLabel = "DIR",
        description = "The data directory (default: $PORTCULLIS_DATA, else ./data).")
    Path data;

    @Option(
        names = "--master-key-file",
        paramLabel = "FILE",
        description =
            "The master keyset (default: $PORTCULLIS_MASTER_KEY_FILE, else the keyset in $PORTCULLIS_MASTER_KEY).")
    Path masterKeyFile;

    @Mixin StoreOptions store = new StoreOptions();

    <T> T withVault(VaultAction<T> action) {
      Path dir = DataDirectory.resolve(data, System.getenv());
      try (Database db = store.openOrCreate(dir, System.getenv())) {
        Vault vault =
            new Vault(
                new JdbcSecretStore(db.dataSource()),
                MasterKeys.load(masterKeyFile, System.getenv(), dir),
                Clock.systemUTC());
        return action.apply(vault);
      } catch (SecretStore.VaultException e) {
        throw new CliException("the vault cannot be used: " + e.getMessage());
      } catch (Vault.VaultRefusal e) {
        throw new CliException(e.getMessage());
      }
    }
  }

  /** What a command does with the vault. */
  interface VaultAction<T> {
    T apply(Vault vault) throws SecretStore.VaultException, Vault.VaultRefusal;
  }

  /** Reads a secret value from a file or stdin, dropping one trailing line break. */
  static byte[] readValue(Path file) {
    try (InputStream in = file == null ? System.in : Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(64 * 1024 + 1);
      if (bytes.length > 64 * 1024) {
        throw new CliException("the value is larger than 64 KiB");
      }
      int end = bytes.length;
      if (end > 0 && bytes[end - 1] == '\n') {
        end--;
      }
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
      return Arrays.copyOf(bytes, end);
    } catch (IOException e) {
      throw new CliException("cannot read the value: " + e.getMessage());
    }
  }

  /** {@code vault init-key}. */
  @Command(
      name = "init-key",
      mixinStandardHelpOptions = true,
      description =
          "Create a new master keyset (AES-256-GCM) in FILE, readable by its owner only. Keep it outside the data directory.")
  static final class InitKey implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the keyset (must not exist).")
    Path out;

    @Override
    public Integer call() {
      try {
        Files.writeString(
            out,
            EnvelopeCipher.newMasterKeyset(),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        try {
          Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
          // Windows: the file inherits the directory's access control.
        }
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw new CliException(
            out
                + " exists; a master key is never overwritten (secrets sealed with it would be lost)");
      } catch (IOException | GeneralSecurityException e) {
        throw new CliException("cannot write " + out + ": " + e.getMessage());
      }
      spec.commandLine()
          .getOut()
          .printf("master key written to %s; point PORTCULLIS_MASTER_KEY_FILE at it%n", out);
      return 0;
    }
  }

  /** {@code vault put}. */
  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description =
          "Store a new secret, its value read from stdin (or --from-file), scoped to the connectors, or single tools, that may use it.")
  static final class Put extends Common implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--scope",
        required = true,
        split = ",",
        paramLabel = "CONNECTOR[/TOOL]",
        description =
            "Who may use it: a connector (every tool on it) or CONNECTOR/TOOL (that tool only).")
    List<String> scopes;

    @Option(
        names = "--from-file",
        paramLabel = "FILE",
        description = "Read the value from FILE instead of stdin.")
    Path from;

    @Override
    public Integer call() {
      byte[] value = readValue(from);
      Set<String> scope = new LinkedHashSet<>(scopes);
      SecretStore.SealedSecret s = withVault(v -> v.put(name, value, scope));
      Arrays.fill(value, (byte) 0);
      spec.commandLine()
          .getOut()
          .printf(
              "stored %s version %d (scope: %s); reference it as vault:%s%n",
              s.name(), s.version(), String.join(", ", scope), s.name());
      return 0;
    }
  }

  /** {@code vault rotate}. */
  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description =
          "Add a new version of a secret (value from stdin or --from-file); connectors use it from their next call.")
  static final class Rotate extends Common implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--from-file",
        paramLabel = "FILE",
        description = "Read the value from FILE instead of stdin.")
    Path from;

    @Override
    public Integer call() {
      byte[] value = readValue(from);
      SecretStore.SealedSecret s = withVault(v -> v.rotate(name, value));
      Arrays.fill(value, (byte) 0);
      spec.commandLine()
          .getOut()
          .printf(
              "stored %s version %d; revoke the old one with 'vault revoke %s --version %d'%n",
              s.name(), s.version(), s.name(), s.version() - 1);
      return 0;
    }
  }

  /** {@code vault revoke}. */
  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description =
          "Revoke one version of a secret, or all of them; takes effect on the next call.")
  static final class Revoke extends Common implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--version",
        paramLabel = "N",
        description = "The version to revoke (default: every version).")
    Integer version;

    @Override
    public Integer call() {
      int n = withVault(v -> v.revoke(name, version));
      spec.commandLine()
          .getOut()
          .printf("revoked %d version%s of %s%n", n, n == 1 ? "" : "s", name);
      return 0;
    }
  }

  /** {@code vault list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List secrets and versions (never values).")
  static final class ListSecrets extends Common implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      List<SecretStore.SealedSecret> all = withVault(Vault::list);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-32s %-8s %-8s %-24s %s%n", "NAME", "VERSION", "STATE", "SCOPE", "CREATED");
      for (SecretStore.SealedSecret s : all) {
        out.printf(
            "%-32s %-8d %-8s %-24s %s%n",
            s.name(),
            s.version(),
            s.active() ? "active" : "revoked",
            String.join(",", new java.util.TreeSet<>(s.scopes())),
            s.createdAt());
      }
      return 0;
    }
  }
}
