package dev.portcullis.connector.sql;

import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretResolver;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.WeakHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;

/**
 * Opens read-only connections to PostgreSQL or SQLite, resolving the password from its secret
 * reference at the moment each connection is opened.
 *
 * <p>Security: PostgreSQL connections start with {@code default_transaction_read_only=on} and a
 * {@code statement_timeout}, and are set read-only through JDBC too; SQLite files are opened with
 * the read-only open flag, so the engine itself refuses a write. The password lives only in the
 * {@link Properties} of one {@link DriverManager#getConnection} call; what is kept of it, per open
 * connection, is its reference and version ({@link #credentialOf}), so a call can name the
 * credential it ran with.
 */
public final class ReadOnlyDataSource implements DataSource {
  private final String jdbcUrl;
  private final String connector;
  private final Optional<String> username;
  private final Optional<SecretRef> password;
  private final SecretResolver secrets;
  private final Duration statementTimeout;
  private final boolean sqlite;

  /** Open connections (weakly: the pool owns them) and the credential each was opened with. */
  private final Map<Connection, CredentialUse> opened =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * Checks the URL's kind; nothing is opened until the pool asks.
   *
   * @throws IllegalArgumentException when the URL is neither {@code jdbc:postgresql:} nor {@code
   *     jdbc:sqlite:}
   */
  public ReadOnlyDataSource(
      String connector,
      String jdbcUrl,
      Optional<String> username,
      Optional<SecretRef> password,
      SecretResolver secrets,
      Duration statementTimeout) {
    if (!(jdbcUrl.startsWith("jdbc:postgresql:") || jdbcUrl.startsWith("jdbc:sqlite:"))) {
      throw new IllegalArgumentException(
          "'" + jdbcUrl + "' must start with jdbc:postgresql: or jdbc:sqlite:");
    }
    this.connector = connector;
    this.jdbcUrl = jdbcUrl;
    this.username = username;
    this.password = password;
    this.secrets = secrets;
    this.statementTimeout = statementTimeout;
    this.sqlite = jdbcUrl.startsWith("jdbc:sqlite:");
  }

  @Override
  public Connection getConnection() throws SQLException {
    Properties props;
    if (sqlite) {
      SQLiteConfig config = new SQLiteConfig();
      config.setReadOnly(true);
      props = config.toProperties();
    } else {
      props = new Properties();
      props.setProperty("readOnly", "true");
      props.setProperty(
          "options",
          "-c default_transaction_read_only=on -c statement_timeout="
              + statementTimeout.toMillis());
    }
    username.ifPresent(u -> props.setProperty("user", u));
    CredentialUse used = null;
    if (password.isPresent()) {
      try {
        Secret secret = secrets.resolve(password.get(), connector);
        props.setProperty("password", secret.reveal());
        used = new CredentialUse(secret.ref().toString(), secret.version(), false);
      } catch (SecretResolver.SecretUnavailableException e) {
        throw new PasswordUnavailableException(e.getMessage());
      }
    }
    Connection c = DriverManager.getConnection(jdbcUrl, props);
    if (!sqlite) {
      c.setReadOnly(true);
    }
    if (used != null) {
      opened.put(c, used);
    }
    return c;
  }

  /**
   * The credential {@code connection} was opened with, if any; {@code connection} may be the pool's
   * wrapper of one of ours.
   */
  Optional<CredentialUse> credentialOf(Connection connection) throws SQLException {
    if (password.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(opened.get(connection.unwrap(Connection.class)));
  }

  /**
   * The password's secret could not be resolved, so no connection was attempted. Its message is the
   * vault's reason, which names the reference, never a value.
   */
  static final class PasswordUnavailableException extends SQLInvalidAuthorizationSpecException {
    private static final long serialVersionUID = 1L;

    PasswordUnavailableException(String reason) {
      super(reason, "28000");
    }

    /** The first exception of this kind in {@code e}'s causes (the pool wraps it), if any. */
    static Optional<PasswordUnavailableException> in(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof PasswordUnavailableException p) {
          return Optional.of(p);
        }
      }
      return Optional.empty();
    }
  }

  @Override
  public Connection getConnection(String user, String pass) throws SQLException {
    throw new SQLFeatureNotSupportedException(
        "credentials come from the connector's configuration");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
