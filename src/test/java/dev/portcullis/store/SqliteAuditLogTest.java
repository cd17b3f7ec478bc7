package dev.portcullis.store;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditLogContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The audit log contract on the embedded SQLite store. */
class SqliteAuditLogTest extends AuditLogContract {
  @TempDir Path dir;
  private final List<EmbeddedDatabase> open = new ArrayList<>();

  @Override
  protected AuditLog emptyLog() {
    EmbeddedDatabase db = EmbeddedDatabase.open(dir.resolve("db" + open.size()));
    open.add(db);
    return new JdbcAuditLog(db.dataSource(), JsonMapper.builder().build());
  }

  @org.junit.jupiter.api.Test
  void appendFailsWithATypedErrorWhenTheStoreCannotBeWritten() {
    EmbeddedDatabase db = EmbeddedDatabase.open(dir.resolve("closed"));
    AuditLog log = new JdbcAuditLog(db.dataSource(), JsonMapper.builder().build());
    db.close();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.append(entry("i1", "EXECUTING")))
        .isInstanceOf(AuditLog.AuditUnavailableException.class)
        .hasMessageStartingWith("cannot append to the audit log: ");
  }

  @AfterEach
  void close() {
    open.forEach(EmbeddedDatabase::close);
  }
}
