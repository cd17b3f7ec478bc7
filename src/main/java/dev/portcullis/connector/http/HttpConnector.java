package dev.portcullis.connector.http;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.connector.Excerpt;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.UpstreamKeys;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretUse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Maps tools onto HTTP requests against one base URL, with the credential resolved from its secret
 * reference at the moment of each call.
 *
 * <p>Security: the resolved secret goes into one request header and nowhere else; any echo of it in
 * the upstream's answer (body or error) is masked before it leaves this class. Agent credentials
 * are never forwarded: the request carries only the connector's own credential, the W3C trace
 * context and an idempotency key derived from the agent's ({@link UpstreamKeys}), never the agent's
 * own.
 *
 * <p>Failure: every upstream problem becomes a typed {@link ConnectorResult.Failure}; no retries
 * here (a write is never retried blindly). A timeout ({@link UpstreamHttpClient}: connecting, or
 * any wait for the answer longer than the operation's timeout) is {@code UPSTREAM_TIMEOUT}, any
 * other I/O failure {@code UPSTREAM_UNREACHABLE}.
 *
 * <p>Concurrency: immutable; the HTTP client is shared and thread-safe, and runs each call on the
 * calling thread.
 */
public final class HttpConnector implements Connector {
  private static final Logger LOG = LoggerFactory.getLogger(HttpConnector.class);
  private static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
  private static final int MAX_ERROR_EXCERPT = 200;
  private static final Set<String> SENDS_EMPTY_BODY = Set.of("POST", "PUT", "PATCH");

  /** The 4xx statuses that do not settle whether a call took effect (see below). */
  private static final Set<Integer> NOT_ABOUT_THE_REQUEST =
      Set.of(401, 403, 407, 408, 409, 421, 422, 423, 425, 429);

  private final String name;
  private final URI baseUri;
  private final Optional<HttpAuth> auth;
  private final Map<String, HttpOperation> operations;
  private final SecretResolver secrets;
  private final UpstreamHttpClient client;
  private final JsonMapper json;
  private final Optional<ClientCredentialsTokens> tokens;
  private final UpstreamKeys upstreamKeys;

  public HttpConnector(
      String name,
      URI baseUri,
      Optional<HttpAuth> auth,
      Map<String, HttpOperation> operations,
      SecretResolver secrets,
      Duration connectTimeout,
      JsonMapper json) {
    this(name, baseUri, auth, operations, secrets, connectTimeout, json, Clock.systemUTC());
  }

  /**
   * As above, with the clock that decides when a cached access token is renewed, and upstream
   * idempotency keys derived under a key of this connector's own: the same agent key gives the same
   * upstream key for this connector's life only. The gateway passes the installation's keys.
   */
  public HttpConnector(
      String name,
      URI baseUri,
      Optional<HttpAuth> auth,
      Map<String, HttpOperation> operations,
      SecretResolver secrets,
      Duration connectTimeout,
      JsonMapper json,
      Clock clock) {
    this(
        name,
        baseUri,
        auth,
        operations,
        secrets,
        connectTimeout,
        json,
        clock,
        new UpstreamKeys(UpstreamKeys.newInstallationKey()));
  }

  /** As above, deriving upstream idempotency keys with {@code upstreamKeys}. */
  public HttpConnector(
      String name,
      URI baseUri,
      Optional<HttpAuth> auth,
      Map<String, HttpOperation> operations,
      SecretResolver secrets,
      Duration connectTimeout,
      JsonMapper json,
      Clock clock,
      UpstreamKeys upstreamKeys) {
    this.upstreamKeys = upstreamKeys;
    this.name = name;
    this.baseUri = baseUri;
    this.auth = auth;
    this.operations = Map.copyOf(operations);
    this.secrets = secrets;
    this.json = json;
    this.client = new UpstreamHttpClient(connectTimeout);
    this.tokens =
        auth.filter(a -> a instanceof HttpAuth.ClientCredentials)
            .map(
                a ->
                    new ClientCredentialsTokens(
                        (HttpAuth.ClientCredentials) a, name, secrets, client, json, clock));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ConnectorResult invoke(Invocation invocation) {
    HttpOperation op = operations.get(invocation.toolName());
    if (op == null) {
      return new ConnectorResult.Failure(
          FailureKind.INTERNAL,
          "connector " + name + " has no operation for " + invocation.toolName());
    }
    Optional<String> badPath = pathProblem(op, invocation.arguments());
    if (badPath.isPresent()) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_REJECTED,
          "connector " + name + " refused the call: " + badPath.get() + "; nothing was sent");
    }
    Secret secret = null;
    if (auth.isPresent()) {
      try {
        secret =
            switch (auth.get()) {
              case HttpAuth.StaticSecret s ->
                  secrets.resolve(s.secret(), SecretUse.tool(name, invocation.toolName()));
              case HttpAuth.Basic b ->
                  secrets.resolve(b.password(), SecretUse.tool(name, invocation.toolName()));
              case HttpAuth.ClientCredentials c -> tokens.orElseThrow().current();
            };
      } catch (SecretResolver.SecretUnavailableException e) {
        LOG.warn("connector {}: {}", name, e.getMessage());
        return new ConnectorResult.Failure(
            FailureKind.CREDENTIAL_UNAVAILABLE,
            "the credential for connector " + name + " is unavailable");
      }
    }
    HttpUriRequestBase request = buildRequest(op, invocation, secret);
    try {
      UpstreamHttpClient.Answer answer = client.send(request, op.timeout(), MAX_RESPONSE_BYTES);
      if (answer.status() == 401 && secret != null) {
        Secret refused = secret;
        tokens.ifPresent(t -> t.refused(refused));
      }
      return read(answer, secret);
    } catch (IOException e) {
      if (Thread.currentThread().isInterrupted()) {
        return new ConnectorResult.Failure(FailureKind.UPSTREAM_UNREACHABLE, "interrupted");
      }
      if (e instanceof InterruptedIOException) { // a connect, pool or read timeout
        return new ConnectorResult.Failure(
            FailureKind.UPSTREAM_TIMEOUT,
            "upstream " + name + " did not answer within " + op.timeout().toMillis() + " ms");
      }
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_UNREACHABLE,
          "upstream " + name + " is unreachable (" + e.getClass().getSimpleName() + ")");
    }
  }

  private HttpUriRequestBase buildRequest(HttpOperation op, Invocation inv, Secret secret) {
    JsonNode args = inv.arguments();
    Set<String> used = new HashSet<>(op.path().variables());
    StringBuilder target = new StringBuilder(op.path().expand(v -> scalar(args.path(v))));
    String sep = "?";
    for (String q : op.queryArguments()) {
      JsonNode value = args.get(q);
      used.add(q);
      if (value == null || value.isNull()) {
        continue;
      }
      target
          .append(sep)
          .append(java.net.URLEncoder.encode(q, StandardCharsets.UTF_8))
          .append('=')
          .append(java.net.URLEncoder.encode(scalar(value), StandardCharsets.UTF_8));
      sep = "&";
    }
    for (Map.Entry<String, JsonTemplate> q : op.queryTemplates().entrySet()) {
      used.addAll(q.getValue().arguments());
      Optional<JsonNode> value = q.getValue().render(args);
      if (value.isEmpty()) {
        continue;
      }
      target
          .append(sep)
          .append(java.net.URLEncoder.encode(q.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(java.net.URLEncoder.encode(scalar(value.get()), StandardCharsets.UTF_8));
      sep = "&";
    }
    HttpUriRequestBase builder =
        new HttpUriRequestBase(op.method(), URI.create(baseUri + target.toString()));
    builder.addHeader("Accept", "application/json");
    builder.addHeader("User-Agent", "portcullis");
    builder.addHeader("traceparent", traceparent(inv.traceId()));
    byte[] body = null;
    if (op.body() == HttpOperation.BodyMode.REMAINING_ARGUMENTS) {
      ObjectNode payload = json.createObjectNode();
      args.properties()
          .forEach(
              e -> {
                if (!used.contains(e.getKey())) {
                  payload.set(e.getKey(), e.getValue());
                }
              });
      body = json.writeValueAsBytes(payload);
      builder.addHeader("Content-Type", "application/json");
    } else if (op.body() == HttpOperation.BodyMode.TEMPLATE) {
      JsonNode payload = op.bodyTemplate().render(args).orElseGet(json::createObjectNode);
      body = json.writeValueAsBytes(payload);
      builder.addHeader("Content-Type", "application/json");
    } else if (SENDS_EMPTY_BODY.contains(op.method())) {
      body = new byte[0]; // "Content-Length: 0", as the JDK client sent for a body-less write
    }
    if (body != null) {
      builder.setEntity(new ByteArrayEntity(body, null));
    }
    upstreamKeys.forUpstream(inv).ifPresent(key -> builder.addHeader("Idempotency-Key", key));
    if (secret != null) {
      switch (auth.orElseThrow()) {
        case HttpAuth.StaticSecret s -> builder.addHeader(s.header(), s.prefix() + secret.reveal());
        case HttpAuth.Basic b -> builder.addHeader("Authorization", b.header(secret.reveal()));
        case HttpAuth.ClientCredentials c ->
            builder.addHeader("Authorization", "Bearer " + secret.reveal());
      }
    }
    return builder;
  }

  private ConnectorResult read(UpstreamHttpClient.Answer response, Secret secret) {
    if (response.body().isEmpty()) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_ERROR,
          "upstream " + name + " answered more than " + MAX_RESPONSE_BYTES + " bytes");
    }
    String raw = new String(response.body().get(), StandardCharsets.UTF_8);
    if (secret != null && raw.indexOf('\\') >= 0 && isJson(response)) {
      raw = unescaped(raw);
    }
    String text = secret == null ? raw : secret.maskIn(raw);
    if (secret != null && auth.orElseThrow() instanceof HttpAuth.Basic b) {
      text = text.replace(b.header(secret.reveal()).substring("Basic ".length()), "[REDACTED]");
    }
    CredentialUse used =
        secret == null
            ? null
            : new CredentialUse(secret.ref().toString(), secret.version(), !text.equals(raw));
    if (used != null && used.echoMasked()) {
      LOG.warn(
          "connector {}: the upstream echoed the credential {}; masked before it left the gateway",
          name,
          secret.ref());
    }
    int status = response.status();
    if (status >= 200 && status < 300) {
      return new ConnectorResult.Success(parse(text, response), used);
    }
    String excerpt = Excerpt.of(text, MAX_ERROR_EXCERPT);
    String detail =
        "upstream "
            + name
            + " answered "
            + status
            + (excerpt.isBlank() ? "" : ": " + excerpt.strip());
    FailureKind kind =
        status >= 400 && status < 500 ? FailureKind.UPSTREAM_REJECTED : FailureKind.UPSTREAM_ERROR;
    return new ConnectorResult.Failure(kind, detail, used, refusesTheRequestItself(status));
  }

  /**
   * Whether a status refuses the request itself, so the call did not take effect: a 4xx, except
   * those an upstream gives before, or instead of, looking at what was asked (401, 403 and 407 the
   * credential; 408 and 425 the timing; 421 the route; 423 a lock; 429 the rate) and those about
   * the idempotency key itself (409: a request with this key is still in progress; 422: the key was
   * used with another request, as draft-ietf-httpapi-idempotency-key-header answers).
   */
  static boolean refusesTheRequestItself(int status) {
    return status >= 400 && status < 500 && !NOT_ABOUT_THE_REQUEST.contains(status);
  }

  private JsonNode parse(String text, UpstreamHttpClient.Answer response) {
    if (text.isBlank()) {
      return json.createObjectNode();
    }
    if (isJson(response)) {
      try {
        return json.readTree(text);
      } catch (JacksonException e) {
        LOG.debug("upstream {} sent unreadable JSON", name);
      }
    }
    return StringNode.valueOf(text);
  }

  private static boolean isJson(UpstreamHttpClient.Answer response) {
    return response.contentType().map(t -> t.contains("json")).orElse(false);
  }

  /**
   * A JSON body rewritten without optional escapes (an escaped slash, as PHP writes it, or a
   * unicode escape of a plain letter), so that an echo of the secret written with them is found by
   * the plain-text mask; the body as it came when it is not valid JSON.
   */
  private String unescaped(String body) {
    try {
      return json.writeValueAsString(json.readTree(body));
    } catch (JacksonException e) {
      return body;
    }
  }

  /** Stops the HTTP client; calls already under way complete, a later call fails as unreachable. */
  @Override
  public void close() {
    client.close();
  }

  /** Why a path argument cannot be sent as its segment, checked before a credential is resolved. */
  private static Optional<String> pathProblem(HttpOperation op, JsonNode args) {
    for (String v : op.path().variables()) {
      JsonNode value = args.path(v);
      if (value.isMissingNode() || value.isNull()) {
        return Optional.of("path parameter '" + v + "' is missing");
      }
      if (!value.isValueNode()) {
        return Optional.of("path parameter '" + v + "' must be a string, number or boolean");
      }
      Optional<String> problem = UrlTemplate.segmentProblem(value.asString());
      if (problem.isPresent()) {
        return Optional.of("path parameter '" + v + "' " + problem.get());
      }
    }
    return Optional.empty();
  }

  private static String scalar(JsonNode node) {
    return node.isValueNode() ? node.asString() : node.toString();
  }

  private static String traceparent(String traceId) {
    byte[] span = new byte[8];
    ThreadLocalRandom.current().nextBytes(span);
    return "00-" + traceId + "-" + HexFormat.of().formatHex(span) + "-01";
  }
}
