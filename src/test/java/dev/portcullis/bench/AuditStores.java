package dev.portcullis.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.store.EmbeddedDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Audit stores for the "what does the fsync cost" experiments: the production embedded database
 * opened with another {@code synchronous} setting. Same file layout, same migration, same JDBC URL
 * otherwise (see {@link EmbeddedDatabase}); only the durability differs.
 */
final class AuditStores {
  private AuditStores() {}

  /**
   * Creates and migrates the embedded database in {@code dir}, then opens it with {@code
   * synchronous} (FULL, NORMAL or OFF) instead of the production FULL.
   */
  static HikariDataSource open(Path dir, String synchronous) {
    EmbeddedDatabase migrated = EmbeddedDatabase.open(dir);
    Path file = migrated.file();
    migrated.close();
    HikariConfig config = new HikariConfig();
    config.setPoolName("bench-sqlite-" + synchronous.toLowerCase(java.util.Locale.ROOT));
    config.setJdbcUrl(
        "jdbc:sqlite:"
            + file
            + "?journal_mode=WAL&synchronous="
            + synchronous
            + "&busy_timeout=10000&foreign_keys=true");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    return new HikariDataSource(config);
  }

  /** A record like the one CommitStage writes for the benchmark's call. */
  static AuditEntry sampleEntry(String configHash) {
    String id = UUID.randomUUID().toString();
    return AuditEntry.builder(Instant.now(), id, id.replace("-", ""), "EXECUTING", configHash)
        .requestId("1")
        .tenant("acme")
        .agentId("support-assistant")
        .channel("rest")
        .toolName(Scenarios.TOOL)
        .toolVersion("1")
        .descriptorHash("sha256:0000000000000000000000000000000000000000000000000000000000000000")
        .arguments("{\"customerId\":\"C-1001\"}")
        .argumentsDigest("0000000000000000000000000000000000000000000000000000000000000000")
        .decision("allow")
        .reasons(List.of("support-read-crm"))
        .policyVersion("sha256:policy")
        .build();
  }
}
