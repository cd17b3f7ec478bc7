package dev.portcullis.config;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The connector types this version reads, by their {@code type:} name. Adding a type means one
 * section class that reads the connector and its tools' bindings, one {@link ConnectorSpec} record,
 * and one line here.
 */
final class ConnectorTypes {
  /** Reads one connector of a type at {@code p}; problems go to {@code r}. */
  @FunctionalInterface
  interface Reader {
    Optional<ConnectorDraft> read(ConfigReader r, String p, String name);
  }

  /** Binding key of each type, and how to read it. */
  record Type(String bindingKey, Reader reader) {}

  static final Map<String, Type> ALL =
      java.util.Collections.unmodifiableSortedMap(
          new TreeMap<>(
              Map.of(
                  "http", new Type("http", HttpSection::connector),
                  "mcp", new Type("mcp", McpSection::connector),
                  "slack", new Type("slack", SlackSection::connector),
                  "smtp", new Type("mail", MailSection::connector),
                  "sql", new Type("sql", SqlSection::connector))));

  private ConnectorTypes() {}
}
