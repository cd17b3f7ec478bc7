package dev.portcullis.store;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditLogContract;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Transition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The audit log contract on the embedded SQLite store, written through its ledger. */
class SqliteAuditLogTest extends AuditLogContract {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path dir;
  private final List<EmbeddedDatabase> open = new ArrayList<>();
  private final IdentityHashMap<AuditLog, JdbcLedger> ledgers = new IdentityHashMap<>();

  @Override
  protected AuditLog emptyLog() {
    EmbeddedDatabase db = EmbeddedDatabase.open(dir.resolve("db" + open.size()));
    open.add(db);
    AuditLog log = new JdbcAuditLog(db, JSON);
    ledgers.put(log, new JdbcLedger(db, JSON));
    return log;
  }

  @Override
  protected AuditRecord append(AuditLog log, AuditEntry entry) throws Exception {
    ledgers.get(log).write(Transition.note(entry));
    return log.records(entry.invocationId()).getLast();
  }

  @AfterEach
  void close() {
    open.forEach(EmbeddedDatabase::close);
  }
}
