package dev.portcullis.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.invocation.NodeSignals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The embedded default store: one SQLite file, {@code portcullis.db}, in the data directory,
 * migrated by Flyway when opened; the SQLite driver's native library is kept beside it ({@link
 * SqliteLibrary}).
 *
 * <p>Durability: WAL journal with {@code synchronous=FULL}, so a committed audit record survives a
 * crash or power loss. Concurrency: SQLite has one writer. Every transaction begins IMMEDIATE,
 * taking the write lock at once and waiting for it (busy timeout): a transaction that read first
 * and wrote later could otherwise fail at once when another store had committed in between
 * (ConcurrentWritersTest). The busy timeout also covers readers such as {@code audit verify}.
 */
public final class EmbeddedDatabase implements Database {
  public static final String FILE_NAME = "portcullis.db";

  private final HikariDataSource dataSource;
  private final GroupCommit writes;
  private final Path file;

  private EmbeddedDatabase(HikariDataSource dataSource, String url, Path file) {
    this.dataSource = dataSource;
    // the writer's own connection, outside the pool: it is kept with its prepared statements
    this.writes =
        new GroupCommit(dataSource, () -> DriverManager.getConnection(url), GroupCommit.MAX_GROUP);
    this.file = file;
  }

  /** Opens (creating if needed) and migrates the database in {@code dataDirectory}. */
  public static EmbeddedDatabase open(Path dataDirectory) {
    try {
      Files.createDirectories(dataDirectory);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create the data directory " + dataDirectory + ": " + e.getMessage(), e);
    }
    SqliteLibrary.useCopyIn(dataDirectory);
    Path file = dataDirectory.resolve(FILE_NAME).toAbsolutePath();
    String url =
        "jdbc:sqlite:"
            + file
            + "?journal_mode=WAL&synchronous=FULL&busy_timeout=10000&foreign_keys=true&transaction_mode=IMMEDIATE&jdbc.get_generated_keys=false";
    HikariConfig config = new HikariConfig();
    config.setPoolName("portcullis-sqlite");
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    HikariDataSource ds = new HikariDataSource(config);
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations(Dialect.SQLITE.migrations())
          .loggers("slf4j")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new IllegalStateException("cannot migrate " + file + ": " + e.getMessage(), e);
    }
    return new EmbeddedDatabase(ds, url, file);
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public GroupCommit writes() {
    return writes;
  }

  @Override
  public Dialect dialect() {
    return Dialect.SQLITE;
  }

  @Override
  public String location() {
    return file.toString();
  }

  /** None: one gateway owns the data directory (its lock says so), and every call is its own. */
  @Override
  public String node() {
    return null;
  }

  public Path file() {
    return file;
  }

  /** One gateway owns the file: there is nobody to signal. */
  @Override
  public NodeSignals signals() {
    return NodeSignals.NONE;
  }

  @Override
  public void close() {
    writes.close();
    dataSource.close();
  }
}
