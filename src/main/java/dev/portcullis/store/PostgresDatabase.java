package dev.portcullis.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.invocation.NodeSignals;
import java.sql.DriverManager;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The shared store: a PostgreSQL database that one or several gateway nodes use, migrated by Flyway
 * when opened (Flyway's lock lets nodes that start together migrate it once).
 *
 * <p>Concurrency: each node's hot-path writes share its {@link GroupCommit}, on a connection of the
 * writer's own; the groups of different nodes take turns at the chain's head, whose row each group
 * locks first ({@link Dialect#groupBegins}). Reads and the stores that write on their own use a
 * pool.
 *
 * <p>Security: the password is only handed to the driver; {@link #location} is the URL, which must
 * not carry one (the configuration refuses a URL with a password in it).
 */
public final class PostgresDatabase implements Database {
  /** Where and as whom to connect. */
  public record Settings(String url, String user, String password, int poolSize) {
    public Settings {
      Objects.requireNonNull(url, "url");
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "a PostgreSQL store's url starts with jdbc:postgresql://, not " + redacted(url));
      }
      if (poolSize < 1) {
        throw new IllegalArgumentException("the pool needs at least one connection");
      }
    }

    @Override
    public String toString() {
      return "Settings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
  }

  private final HikariDataSource dataSource;
  private final GroupCommit writes;
  private final String url;
  private final String node = UUID.randomUUID().toString();
  private final PostgresSignals signals;

  private PostgresDatabase(HikariDataSource dataSource, Settings settings) {
    this.dataSource = dataSource;
    this.url = settings.url();
    Properties login = login(settings);
    this.writes =
        new GroupCommit(
            dataSource,
            () -> DriverManager.getConnection(settings.url(), login),
            GroupCommit.MAX_GROUP,
            Dialect.POSTGRES.groupBegins());
    this.signals =
        new PostgresSignals(dataSource, () -> DriverManager.getConnection(settings.url(), login));
  }

  /** Connects to, and migrates, the database {@code settings} name. */
  public static PostgresDatabase open(Settings settings) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("portcullis-postgres");
    config.setJdbcUrl(settings.url());
    config.setDataSourceProperties(login(settings));
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(1);
    // a server that is down fails the start at once, with the driver's reason, rather than later
    config.setInitializationFailTimeout(1);
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot connect to the PostgreSQL store at "
              + settings.url()
              + ": "
              + rootMessage(e)
              + " (check the url, user and password under store: in the configuration, and that"
              + " the server accepts connections from this host)",
          e);
    }
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations(Dialect.POSTGRES.migrations())
          .loggers("slf4j")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new IllegalStateException(
          "cannot migrate the PostgreSQL store at " + settings.url() + ": " + rootMessage(e), e);
    }
    return new PostgresDatabase(ds, settings);
  }

  private static Properties login(Settings settings) {
    Properties p = new Properties();
    if (settings.user() != null) {
      p.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      p.setProperty("password", settings.password());
    }
    p.setProperty("ApplicationName", "portcullis");
    return p;
  }

  /**
   * {@code url} with the value of any parameter that names a password (e.g. sslpassword) hidden.
   */
  static String redacted(String url) {
    int q = url.indexOf('?');
    if (q < 0) {
      return url;
    }
    StringBuilder out = new StringBuilder(url.substring(0, q + 1));
    String[] params = url.substring(q + 1).split("&", -1);
    for (int i = 0; i < params.length; i++) {
      String p = params[i];
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq);
      out.append(i == 0 ? "" : "&")
          .append(name.toLowerCase(java.util.Locale.ROOT).contains("password") ? name + "=…" : p);
    }
    return out.toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t.getCause() != null && depth < 16; depth++) {
      t = t.getCause();
    }
    return t.getMessage();
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
    return Dialect.POSTGRES;
  }

  @Override
  public String location() {
    return redacted(url);
  }

  /** A fresh name at every open: a restarted node is a new node, its old calls another's. */
  @Override
  public String node() {
    return node;
  }

  @Override
  public NodeSignals signals() {
    return signals;
  }

  @Override
  public void close() {
    signals.close();
    writes.close();
    dataSource.close();
  }
}
