package dev.portcullis.connector.http;

import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretResolver;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The access token of one connector's OAuth client: fetched with the client secret resolved from
 * its reference at that moment, cached until {@link #EARLY} before it expires, fetched again after
 * the upstream refuses it.
 *
 * <p>Concurrency: one fetch at a time; calls arriving meanwhile wait and use its token.
 *
 * <p>Security: the token and the client secret are never logged or returned; failures name the
 * connector and the token endpoint's status only.
 */
final class ClientCredentialsTokens {
  /** A token is renewed this long before it expires, so no call carries one about to lapse. */
  static final Duration EARLY = Duration.ofSeconds(30);

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_ANSWER_BYTES = 64 * 1024;

  private final HttpAuth.ClientCredentials spec;
  private final String connector;
  private final SecretResolver secrets;
  private final UpstreamHttpClient http;
  private final JsonMapper json;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Token cached;

  private record Token(String value, Instant renewAt) {}

  ClientCredentialsTokens(
      HttpAuth.ClientCredentials spec,
      String connector,
      SecretResolver secrets,
      UpstreamHttpClient http,
      JsonMapper json,
      Clock clock) {
    this.spec = spec;
    this.connector = connector;
    this.secrets = secrets;
    this.http = http;
    this.json = json;
    this.clock = clock;
  }

  /** A usable access token, as a {@link Secret} so that connectors mask it like any other. */
  Secret current() throws SecretResolver.SecretUnavailableException {
    Token t = cached;
    if (t != null && clock.instant().isBefore(t.renewAt())) {
      return secret(t);
    }
    lock.lock();
    try {
      t = cached;
      if (t == null || !clock.instant().isBefore(t.renewAt())) {
        t = fetch();
        cached = t;
      }
      return secret(t);
    } finally {
      lock.unlock();
    }
  }

  /** Forgets {@code token} after the upstream refused it; the next call fetches a new one. */
  void refused(Secret token) {
    Token t = cached;
    if (t != null && t.value().equals(token.reveal())) {
      cached = null;
    }
  }

  private Secret secret(Token t) {
    return new Secret(new SecretRef("oauth", connector), t.value());
  }

  private Token fetch() throws SecretResolver.SecretUnavailableException {
    Secret clientSecret = secrets.resolve(spec.clientSecret(), connector);
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (form(spec.clientId()) + ":" + form(clientSecret.reveal()))
                    .getBytes(StandardCharsets.UTF_8));
    String body =
        "grant_type=client_credentials"
            + (spec.scope() == null ? "" : "&scope=" + form(spec.scope()));
    HttpPost request = new HttpPost(spec.tokenUri());
    request.addHeader("Authorization", "Basic " + basic);
    request.addHeader("Content-Type", "application/x-www-form-urlencoded");
    request.addHeader("Accept", "application/json");
    request.setEntity(new ByteArrayEntity(body.getBytes(StandardCharsets.UTF_8), null));
    Instant asked = clock.instant();
    UpstreamHttpClient.Answer response;
    try {
      response = http.send(request, TIMEOUT, MAX_ANSWER_BYTES);
    } catch (IOException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw unavailable("interrupted while fetching its token");
      }
      throw unavailable("its token endpoint is unreachable (" + e.getClass().getSimpleName() + ")");
    }
    if (response.status() != 200) {
      throw unavailable("its token endpoint answered " + response.status());
    }
    if (response.body().isEmpty()) {
      throw unavailable("its token endpoint answered more than " + MAX_ANSWER_BYTES + " bytes");
    }
    JsonNode token;
    try {
      token = json.readTree(new String(response.body().get(), StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      throw unavailable("its token endpoint answered something other than JSON");
    }
    String value = token.path("access_token").asString("");
    if (value.isEmpty()
        || !token.path("token_type").asString("Bearer").equalsIgnoreCase("Bearer")) {
      throw unavailable("its token endpoint gave no bearer access_token");
    }
    long lifetime = token.path("expires_in").asLong(300);
    Instant renewAt = asked.plusSeconds(Math.max(0, lifetime)).minus(EARLY);
    return new Token(value, renewAt);
  }

  private SecretResolver.SecretUnavailableException unavailable(String why) {
    return new SecretResolver.SecretUnavailableException(
        "cannot obtain an access token for connector " + connector + ": " + why);
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
