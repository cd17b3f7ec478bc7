package dev.portcullis.vault;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Secrets from a HashiCorp Vault KV version 2 engine over HTTP: {@code vault:NAME} reads the latest
 * version of {@code <mount>/data/NAME} and uses its {@code value} field ({@code vault:NAME#field}
 * for another). Read on every call, so a new version written in Vault is used at once. Which
 * connectors may read what is Vault's own policy on the token given here.
 *
 * <p>Older versions: KV keeps up to ten versions by default, and an upstream may still hold and
 * echo an older one. The {@value #OLDER_VERSIONS} versions before the latest are read too (once
 * each: a KV version never changes) so that the result filter masks an echo of any of them, never
 * to send them. A version Vault answers as deleted or destroyed is asked again after {@link
 * #ABSENT_RECHECK} (it may be undeleted); one that cannot be read at all fails the call, as the
 * latest would: a guard that cannot be armed does not run disarmed.
 *
 * <p>Security: the Vault token is itself a reference ({@code env:} or {@code file:}), resolved per
 * call; neither it nor a value appears in errors or logs.
 */
public final class HashiCorpKv implements SecretBackend {
  /** How many versions before the latest are read for masking. */
  static final int OLDER_VERSIONS = 9;

  /** How long a version Vault answered as deleted or destroyed is believed gone. */
  static final Duration ABSENT_RECHECK = Duration.ofMinutes(1);

  private final URI address;
  private final String mount;
  private final SecretRef token;
  private final String namespace;
  private final SecretResolver tokenSource;
  private final Clock clock;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final JsonMapper json = JsonMapper.builder().build();

  /**
   * Older versions' values (or their absence, with when it was seen), by path, field and version.
   */
  private final Map<Version, Older> older = new ConcurrentHashMap<>();

  private record Version(String path, String field, int number) {}

  /** An older version's value, or {@code null} with the instant Vault said it was gone. */
  private record Older(String value, Instant absentSince) {}

  public HashiCorpKv(
      URI address, String mount, SecretRef token, String namespace, SecretResolver tokenSource) {
    this(address, mount, token, namespace, tokenSource, Clock.systemUTC());
  }

  public HashiCorpKv(
      URI address,
      String mount,
      SecretRef token,
      String namespace,
      SecretResolver tokenSource,
      Clock clock) {
    this.address = Objects.requireNonNull(address);
    this.mount = Objects.requireNonNull(mount);
    this.token = Objects.requireNonNull(token);
    this.namespace = namespace;
    this.tokenSource = tokenSource;
    this.clock = Objects.requireNonNull(clock);
  }

  @Override
  public Secret resolve(SecretRef ref, SecretUse use)
      throws SecretResolver.SecretUnavailableException {
    String location = ref.location();
    int hash = location.indexOf('#');
    String path = hash < 0 ? location : location.substring(0, hash);
    String field = hash < 0 ? "value" : location.substring(hash + 1);
    Secret vaultToken = tokenSource.resolve(token, use);
    JsonNode data = read(ref, path, 0, vaultToken);
    if (data == null) {
      throw new SecretResolver.SecretUnavailableException(
          "secret "
              + ref
              + ": no such secret in HashiCorp Vault ("
              + mount
              + "/data/"
              + path
              + ")");
    }
    JsonNode value = data.path("data").path(field);
    if (!value.isString() || value.asString().isEmpty()) {
      throw new SecretResolver.SecretUnavailableException(
          "secret "
              + ref
              + ": the latest version has no '"
              + field
              + "' field (deleted or destroyed?)");
    }
    int latest = data.path("metadata").path("version").asInt(0);
    int oldest = Math.max(1, latest - OLDER_VERSIONS);
    // versions that fell out of the window are never asked for again: forget them
    older.keySet().removeIf(k -> k.number() < oldest && k.path().equals(path));
    List<String> olderValues = new ArrayList<>();
    for (int v = latest - 1; v >= oldest; v--) {
      String o = olderValue(ref, new Version(path, field, v), vaultToken);
      if (o != null && !o.equals(value.asString())) {
        olderValues.add(o);
      }
    }
    return new Secret(ref, value.asString(), latest, olderValues);
  }

  /** An older version's value, from memory or from Vault; {@code null} when it is gone. */
  private String olderValue(SecretRef ref, Version v, Secret vaultToken)
      throws SecretResolver.SecretUnavailableException {
    Older known = older.get(v);
    if (known != null
        && (known.value() != null
            || clock.instant().isBefore(known.absentSince().plus(ABSENT_RECHECK)))) {
      return known.value();
    }
    JsonNode data = read(ref, v.path(), v.number(), vaultToken);
    JsonNode value = data == null ? null : data.path("data").path(v.field());
    Older now =
        value != null && value.isString() && !value.asString().isEmpty()
            ? new Older(value.asString(), null)
            : new Older(null, clock.instant());
    older.put(v, now);
    return now.value();
  }

  /**
   * The {@code data} object of {@code path} at {@code version} (0: the latest); {@code null} when
   * Vault has no such secret or version.
   */
  private JsonNode read(SecretRef ref, String path, int version, Secret vaultToken)
      throws SecretResolver.SecretUnavailableException {
    StringBuilder url =
        new StringBuilder(address.toString().replaceAll("/+$", ""))
            .append("/v1/")
            .append(mount)
            .append("/data");
    for (String segment : path.split("/", -1)) {
      url.append('/')
          .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    if (version > 0) {
      url.append("?version=").append(version);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url.toString()))
            .timeout(Duration.ofSeconds(5))
            .header("X-Vault-Token", vaultToken.reveal())
            .header("Accept", "application/json");
    if (namespace != null) {
      request.header("X-Vault-Namespace", namespace);
    }
    String which = version > 0 ? " version " + version : "";
    HttpResponse<String> response;
    try {
      response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SecretResolver.SecretUnavailableException(
          "secret "
              + ref
              + which
              + ": HashiCorp Vault at "
              + address
              + " is unreachable ("
              + e.getClass().getSimpleName()
              + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecretResolver.SecretUnavailableException("interrupted while reading " + ref);
    }
    switch (response.statusCode()) {
      case 200 -> {}
      case 404 -> {
        return null;
      }
      case 403 ->
          throw new SecretResolver.SecretUnavailableException(
              "secret "
                  + ref
                  + which
                  + ": HashiCorp Vault refused the token (403); check its policy for "
                  + mount
                  + "/data/"
                  + path);
      default ->
          throw new SecretResolver.SecretUnavailableException(
              "secret " + ref + which + ": HashiCorp Vault answered " + response.statusCode());
    }
    try {
      return json.readTree(response.body()).path("data");
    } catch (JacksonException e) {
      throw new SecretResolver.SecretUnavailableException(
          "secret " + ref + which + ": HashiCorp Vault answered something other than JSON");
    }
  }
}
