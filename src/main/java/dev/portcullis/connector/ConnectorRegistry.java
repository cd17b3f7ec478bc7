package dev.portcullis.connector;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The named connectors of one loaded configuration. */
public final class ConnectorRegistry implements AutoCloseable {
  private final Map<String, Connector> byName;

  public ConnectorRegistry(List<Connector> connectors) {
    this.byName =
        connectors.stream()
            .collect(Collectors.toUnmodifiableMap(Connector::name, Function.identity()));
  }

  /** Every connector, in no particular order. */
  public java.util.Collection<Connector> all() {
    return byName.values();
  }

  public Optional<Connector> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public void close() {
    byName.values().forEach(Connector::close);
  }
}
