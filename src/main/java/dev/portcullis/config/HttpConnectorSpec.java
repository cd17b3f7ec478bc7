package dev.portcullis.config;

import dev.portcullis.connector.http.HttpAuth;
import dev.portcullis.connector.http.HttpOperation;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** An HTTP connector as configured, with the compiled operation of every tool bound to it. */
public record HttpConnectorSpec(
    String name,
    URI baseUri,
    Optional<HttpAuth> auth,
    Duration connectTimeout,
    Duration timeout,
    Map<String, HttpOperation> operations)
    implements ConnectorSpec {

  public HttpConnectorSpec {
    operations = Map.copyOf(operations);
  }
}
