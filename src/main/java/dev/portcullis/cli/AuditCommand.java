package dev.portcullis.cli;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.audit.VerifyReport;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcAuditLog;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/** {@code portcullis audit …}: work with the audit log. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Work with the tamper-evident audit log.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code portcullis audit verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Check the whole hash chain of the audit log.",
        "Exits 0 when every record is intact; 1 naming the first record that was changed,",
        "removed or reordered; 2 when the log cannot be read."
      })
  static final class Verify implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-d", "--data"}, paramLabel = "DIR", description = "The data directory (default: $PORTCULLIS_DATA, else ./data).")
    Path data;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Path dir = DataDirectory.resolve(data, System.getenv());
      if (!Files.isRegularFile(dir.resolve(EmbeddedDatabase.FILE_NAME))) {
        throw new CliException("no audit log in " + dir + "; point --data at a gateway's data directory");
      }
      try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
        AuditLog log = new JdbcAuditLog(db.dataSource(), JsonMapper.builder().build());
        VerifyReport report =
            AuditVerifier.verify(log, n -> err.printf("  … %,d records checked%n", n));
        if (report.intact()) {
          out.printf("audit chain intact: %d records verified in %s%n", report.verified(), db.file());
          return 0;
        }
        out.printf("audit chain BROKEN at record %d: %s%n", report.firstBadSeq(), report.problem());
        out.printf("%d records before it verified; treat everything from record %d on as untrusted.%n",
            report.verified(), report.firstBadSeq());
        return 1;
      } catch (AuditLog.AuditUnavailableException e) {
        err.println("error: " + e.getMessage());
        return 2;
      }
    }
  }
}
