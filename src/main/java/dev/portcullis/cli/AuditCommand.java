package dev.portcullis.cli;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.audit.VerifyReport;
import dev.portcullis.store.Database;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.store.LedgerCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        "Check the whole hash chain of the audit log, then that every invocation's stored",
        "state is the one its last audit record names.",
        "Exits 0 when both hold; 1 naming the first record that was changed, removed or",
        "reordered, or the invocations that disagree; 2 when the log cannot be read."
      })
  static final class Verify implements Callable<Integer> {
    /** The most disagreeing invocations listed. */
    private static final int SHOWN = 20;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = {"-d", "--data"},
        paramLabel = "DIR",
        description = "The data directory (default: $PORTCULLIS_DATA, else ./data).")
    Path data;

    @Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Path dir = DataDirectory.resolve(data, System.getenv());
      try (Database db = store.open(dir, System.getenv(), "audit log")) {
        AuditLog log = new JdbcAuditLog(db, JsonMapper.builder().build());
        VerifyReport report =
            AuditVerifier.verify(log, n -> err.printf("  … %,d records checked%n", n));
        if (report.intact()) {
          out.printf(
              "audit chain intact: %d records verified in %s%n", report.verified(), db.location());
          List<LedgerCheck.Disagreement> apart = new LedgerCheck(db).disagreements(SHOWN + 1);
          if (apart.isEmpty()) {
            out.println("every invocation's stored state is the one its last audit record names");
            return 0;
          }
          out.printf(
              "%s invocation(s) whose stored state is not the one their last audit record names:%n",
              apart.size() > SHOWN ? "more than " + SHOWN : String.valueOf(apart.size()));
          apart.stream().limit(SHOWN).forEach(d -> out.println("  " + d));
          out.println(
              "they were written outside the ledger (by an older gateway, or by hand); check each with"
                  + " 'portcullis invocations show ID' before trusting its state.");
          return 1;
        }
        out.printf("audit chain BROKEN at record %d: %s%n", report.firstBadSeq(), report.problem());
        out.printf(
            "%d records before it verified; treat everything from record %d on as untrusted.%n",
            report.verified(), report.firstBadSeq());
        return 1;
      } catch (AuditLog.AuditUnavailableException | SQLException e) {
        err.println("error: " + e.getMessage());
        return 2;
      }
    }
  }
}
