package dev.portcullis.config;

import dev.portcullis.identity.AgentSpec;
import dev.portcullis.identity.ApiKeys;
import dev.portcullis.identity.IssuerSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code identity.issuers} (trusted token issuers) and {@code agents} (each with API key
 * hashes, an OAuth client at one of those issuers, or both).
 */
final class IdentitySection {
  private static final List<String> DEFAULT_ALGORITHMS =
      List.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  private final ConfigReader r;
  private final Map<String, IssuerSpec> issuersByName = new HashMap<>();
  private final List<IssuerSpec> issuers = new ArrayList<>();

  IdentitySection(ConfigReader r) {
    this.r = r;
    readIssuers();
  }

  List<IssuerSpec> issuers() {
    return issuers;
  }

  private void readIssuers() {
    if (!r.isObject("/identity", false)) {
      return;
    }
    r.onlyKeys("/identity", Set.of("issuers"));
    Set<String> urls = new HashSet<>();
    int n = r.list("/identity/issuers", false);
    for (int i = 0; i < n; i++) {
      String p = "/identity/issuers/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      r.onlyKeys(
          p,
          Set.of(
              "name",
              "issuer",
              "jwksUri",
              "audiences",
              "algorithms",
              "clockSkew",
              "tenant",
              "claims"));
      Optional<String> name = r.matching(p + "/name", true, ConfigLoader.ID, ConfigLoader.ID_RULE);
      Optional<String> issuer =
          r.string(p + "/issuer", true).filter(u -> url(p + "/issuer", u).isPresent());
      issuer
          .filter(u -> !urls.add(u))
          .ifPresent(u -> r.problem(p + "/issuer", "issuer " + u + " is configured twice"));
      Optional<URI> jwks = r.string(p + "/jwksUri", false).flatMap(u -> url(p + "/jwksUri", u));
      List<String> audiences = r.strings(p + "/audiences", true);
      List<String> algorithms =
          r.at(p + "/algorithms").isMissingNode()
              ? DEFAULT_ALGORITHMS
              : r.strings(p + "/algorithms", true);
      for (int a = 0; a < algorithms.size(); a++) {
        if (!DEFAULT_ALGORITHMS.contains(algorithms.get(a))) {
          r.problem(
              p + "/algorithms/" + a,
              "'"
                  + algorithms.get(a)
                  + "' is not an accepted signature algorithm; use "
                  + DEFAULT_ALGORITHMS
                  + " (symmetric and 'none' are refused)");
        }
      }
      Duration skew = r.duration(p + "/clockSkew", Duration.ofSeconds(60));
      Optional<String> tenant =
          r.matching(p + "/tenant", false, ConfigLoader.ID, ConfigLoader.ID_RULE);
      String c = p + "/claims";
      if (r.isObject(c, false)) {
        r.onlyKeys(c, Set.of("client", "user", "roles", "groups", "tenant"));
      }
      if (name.isPresent() && issuer.isPresent()) {
        IssuerSpec spec =
            new IssuerSpec(
                name.get(),
                issuer.get(),
                jwks,
                audiences,
                algorithms,
                skew,
                tenant,
                r.string(c + "/tenant", "tenant"),
                r.string(c + "/client", IssuerSpec.DEFAULT_CLIENT_CLAIM),
                r.string(c + "/user", "sub"),
                r.string(c + "/roles", "roles"),
                r.string(c + "/groups", "groups"));
        if (issuersByName.putIfAbsent(spec.name(), spec) != null) {
          r.problem(p + "/name", "issuer '" + spec.name() + "' is defined twice");
        } else {
          issuers.add(spec);
        }
      }
    }
  }

  private Optional<URI> url(String p, String text) {
    try {
      URI uri = new URI(text);
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new URISyntaxException(text, "need an http(s) URL");
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      r.problem(p, "'" + text + "' is not a usable URL: " + e.getReason());
      return Optional.empty();
    }
  }

  List<AgentSpec> agents() {
    List<AgentSpec> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    Set<String> clients = new HashSet<>();
    int n = r.list("/agents", true);
    for (int i = 0; i < n; i++) {
      String p = "/agents/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      r.onlyKeys(p, Set.of("id", "tenant", "description", "keys", "oauth"));
      Optional<String> id = r.matching(p + "/id", true, ConfigLoader.ID, ConfigLoader.ID_RULE);
      id.filter(v -> !ids.add(v))
          .ifPresent(v -> r.problem(p + "/id", "agent '" + v + "' is defined twice"));
      String tenant =
          r.matching(p + "/tenant", false, ConfigLoader.ID, ConfigLoader.ID_RULE).orElse("default");
      String description = r.string(p + "/description", "");
      List<String> hashes =
          r.at(p + "/keys").isMissingNode() ? List.of() : r.strings(p + "/keys", false);
      for (int k = 0; k < hashes.size(); k++) {
        String h = hashes.get(k);
        if (!ApiKeys.STORED_FORM.matcher(h).matches()) {
          r.problem(
              p + "/keys/" + k,
              "must be sha256:<64 lowercase hex>; create one with 'portcullis keygen'");
        } else if (!keys.add(h)) {
          r.problem(p + "/keys/" + k, "this key hash is already given to another agent");
        }
      }
      Optional<AgentSpec.OAuthClient> oauth = oauth(p + "/oauth", clients);
      if (hashes.isEmpty() && oauth.isEmpty() && r.at(p + "/oauth").isMissingNode()) {
        r.problem(
            p, "an agent needs a way in: 'keys' (API key hashes) or 'oauth' (issuer and clientId)");
      }
      id.ifPresent(v -> out.add(new AgentSpec(v, tenant, description, hashes, oauth)));
    }
    return out;
  }

  private Optional<AgentSpec.OAuthClient> oauth(String p, Set<String> clients) {
    if (!r.isObject(p, false)) {
      return Optional.empty();
    }
    r.onlyKeys(p, Set.of("issuer", "clientId"));
    Optional<String> issuer = r.string(p + "/issuer", true);
    Optional<String> client = r.string(p + "/clientId", true);
    issuer
        .filter(i -> !issuersByName.containsKey(i))
        .ifPresent(
            i ->
                r.problem(
                    p + "/issuer",
                    "no issuer named '" + i + "' is defined under identity.issuers"));
    if (issuer.isEmpty() || client.isEmpty() || !issuersByName.containsKey(issuer.get())) {
      return Optional.empty();
    }
    if (!clients.add(issuer.get() + "\n" + client.get())) {
      r.problem(p + "/clientId", "client '" + client.get() + "' is already another agent's");
      return Optional.empty();
    }
    return Optional.of(new AgentSpec.OAuthClient(issuer.get(), client.get()));
  }
}
