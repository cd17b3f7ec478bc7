package dev.portcullis.config;

import dev.portcullis.connector.sql.SqlAllowlist;
import dev.portcullis.connector.sql.SqlOperation;
import dev.portcullis.vault.SecretRef;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A SQL connector as configured, with the checked operation of every tool bound to it. */
public record SqlConnectorSpec(
    String name,
    String jdbcUrl,
    Optional<String> username,
    Optional<SecretRef> password,
    int maxRows,
    Duration timeout,
    int poolSize,
    SqlAllowlist allowlist,
    Map<String, SqlOperation> operations)
    implements ConnectorSpec {

  public SqlConnectorSpec {
    operations = Map.copyOf(operations);
  }
}
