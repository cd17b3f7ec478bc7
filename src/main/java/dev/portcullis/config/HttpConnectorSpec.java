package dev.portcullis.config;

import dev.portcullis.connector.http.HttpAuth;
import dev.portcullis.connector.http.HttpOperation;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP connector as configured, with the compiled operation of every tool bound to it.
 *
 * @param upstreamHonoursIdempotencyKeys the operator's word that the upstream executes a request
 *     carrying an {@code Idempotency-Key} it has already seen at most once (answering the first
 *     outcome again), for every operation of this connector: recovery then re-sends, once, a write
 *     the gateway was executing when it stopped, instead of leaving it for an operator
 */
public record HttpConnectorSpec(
    String name,
    URI baseUri,
    Optional<HttpAuth> auth,
    Duration connectTimeout,
    Duration timeout,
    Map<String, HttpOperation> operations,
    boolean upstreamHonoursIdempotencyKeys)
    implements ConnectorSpec {

  public HttpConnectorSpec {
    operations = Map.copyOf(operations);
  }
}
