package dev.portcullis.vault;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Secrets from a HashiCorp Vault KV version 2 engine over HTTP: {@code vault:NAME} reads the latest
 * version of {@code <mount>/data/NAME} and uses its {@code value} field ({@code vault:NAME#field}
 * for another). Read on every call, so a new version written in Vault is used at once. Which
 * connectors may read what is Vault's own policy on the token given here.
 *
 * <p>Security: the Vault token is itself a reference ({@code env:} or {@code file:}), resolved per
 * call; neither it nor a value appears in errors or logs.
 */
public final class HashiCorpKv implements SecretBackend {
  private final URI address;
  private final String mount;
  private final SecretRef token;
  private final String namespace;
  private final SecretResolver tokenSource;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final JsonMapper json = JsonMapper.builder().build();

  public HashiCorpKv(
      URI address, String mount, SecretRef token, String namespace, SecretResolver tokenSource) {
    this.address = Objects.requireNonNull(address);
    this.mount = Objects.requireNonNull(mount);
    this.token = Objects.requireNonNull(token);
    this.namespace = namespace;
    this.tokenSource = tokenSource;
  }

  @Override
  public Secret resolve(SecretRef ref, SecretUse use)
      throws SecretResolver.SecretUnavailableException {
    String location = ref.location();
    int hash = location.indexOf('#');
    String path = hash < 0 ? location : location.substring(0, hash);
    String field = hash < 0 ? "value" : location.substring(hash + 1);
    Secret vaultToken = tokenSource.resolve(token, use);
    StringBuilder url =
        new StringBuilder(address.toString().replaceAll("/+$", ""))
            .append("/v1/")
            .append(mount)
            .append("/data");
    for (String segment : path.split("/", -1)) {
      url.append('/')
          .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url.toString()))
            .timeout(Duration.ofSeconds(5))
            .header("X-Vault-Token", vaultToken.reveal())
            .header("Accept", "application/json");
    if (namespace != null) {
      request.header("X-Vault-Namespace", namespace);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SecretResolver.SecretUnavailableException(
          "secret "
              + ref
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
      case 403 ->
          throw new SecretResolver.SecretUnavailableException(
              "secret "
                  + ref
                  + ": HashiCorp Vault refused the token (403); check its policy for "
                  + mount
                  + "/data/"
                  + path);
      case 404 ->
          throw new SecretResolver.SecretUnavailableException(
              "secret "
                  + ref
                  + ": no such secret in HashiCorp Vault ("
                  + mount
                  + "/data/"
                  + path
                  + ")");
      default ->
          throw new SecretResolver.SecretUnavailableException(
              "secret " + ref + ": HashiCorp Vault answered " + response.statusCode());
    }
    try {
      JsonNode data = json.readTree(response.body()).path("data");
      JsonNode value = data.path("data").path(field);
      if (!value.isString() || value.asString().isEmpty()) {
        throw new SecretResolver.SecretUnavailableException(
            "secret "
                + ref
                + ": the latest version has no '"
                + field
                + "' field (deleted or destroyed?)");
      }
      return new Secret(ref, value.asString(), data.path("metadata").path("version").asInt(0));
    } catch (JacksonException e) {
      throw new SecretResolver.SecretUnavailableException(
          "secret " + ref + ": HashiCorp Vault answered something other than JSON");
    }
  }
}
