package dev.portcullis.config;

import dev.portcullis.connector.http.HttpAuth;
import dev.portcullis.connector.http.HttpOperation;
import dev.portcullis.connector.http.UrlTemplate;
import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a {@code type: http} connector (base URL, credential, timeouts) and the {@code http:}
 * binding of each tool on it (method, path template, query and body mapping).
 */
final class HttpSection {
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  private HttpSection() {}

  static Optional<ConnectorDraft> connector(ConfigReader r, String p, String name) {
    r.onlyKeys(p, Set.of("name", "type", "baseUrl", "auth", "connectTimeout", "timeout", "openapi"));
    URI base = r.string(p + "/baseUrl", true).map(u -> baseUri(r, p + "/baseUrl", u)).orElse(null);
    Optional<HttpAuth> auth = auth(r, p + "/auth");
    Duration connect = r.duration(p + "/connectTimeout", Duration.ofSeconds(2));
    Duration timeout = r.duration(p + "/timeout", Duration.ofSeconds(10));
    List<ImpliedTool> imported = OpenApiImport.read(r, p + "/openapi", name);
    return base == null ? Optional.empty() : Optional.of(new Draft(name, base, auth, connect, timeout, imported));
  }

  /** An {@code http(s)://host[:port][/path]} URL without query or user info, trailing '/' dropped. */
  static URI baseUri(ConfigReader r, String p, String text) {
    try {
      URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getQuery() != null || uri.getUserInfo() != null) {
        throw new java.net.URISyntaxException(text, "need http(s)://host[:port][/path], no query or user info");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      r.problem(p, "'" + text + "' is not a usable base URL: " + e.getReason());
      return null;
    }
  }

  private static Optional<HttpAuth> auth(ConfigReader r, String p) {
    if (!r.isObject(p, false)) {
      return Optional.empty();
    }
    String type = r.string(p + "/type", true).orElse("");
    if (type.equals("oauth2-client-credentials")) {
      return clientCredentials(r, p);
    }
    r.onlyKeys(p, Set.of("type", "secret", "header"));
    Optional<SecretRef> secret = r.secretRef(p + "/secret", true);
    switch (type) {
      case "bearer" -> {
        if (!r.at(p + "/header").isMissingNode()) {
          r.problem(p + "/header", "is only for type 'header'");
        }
        return secret.map(HttpAuth::bearer);
      }
      case "header" -> {
        Optional<String> header =
            r.matching(p + "/header", true, Pattern.compile("[A-Za-z0-9-]{1,64}"), "is not an HTTP header name");
        if (header.isPresent() && secret.isPresent()) {
          return Optional.of(HttpAuth.header(header.get(), secret.get()));
        }
        return Optional.empty();
      }
      case "" -> {
        return Optional.empty();
      }
      default -> {
        r.problem(p + "/type", "'" + type + "' is not one of [bearer, header, oauth2-client-credentials]");
        return Optional.empty();
      }
    }
  }

  /** {@code type: oauth2-client-credentials}: token URL, client id, client secret reference, scope. */
  private static Optional<HttpAuth> clientCredentials(ConfigReader r, String p) {
    r.onlyKeys(p, Set.of("type", "tokenUrl", "clientId", "clientSecret", "scope"));
    URI token = r.string(p + "/tokenUrl", true).map(u -> baseUri(r, p + "/tokenUrl", u)).orElse(null);
    Optional<String> client = r.string(p + "/clientId", true);
    Optional<SecretRef> secret = r.secretRef(p + "/clientSecret", true);
    String scope = r.string(p + "/scope", (String) null);
    if (token == null || client.isEmpty() || secret.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new HttpAuth.ClientCredentials(token, client.get(), secret.get(), scope));
  }

  /** An HTTP connector before its tools' operations are known. */
  static final class Draft implements ConnectorDraft {
    private final String name;
    private final URI baseUri;
    private final Optional<HttpAuth> auth;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final Map<String, HttpOperation> operations = new HashMap<>();
    private final List<ImpliedTool> imported;

    Draft(String name, URI baseUri, Optional<HttpAuth> auth, Duration connectTimeout, Duration timeout,
        List<ImpliedTool> imported) {
      this.imported = List.copyOf(imported);
      this.name = name;
      this.baseUri = baseUri;
      this.auth = auth;
      this.connectTimeout = connectTimeout;
      this.timeout = timeout;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String bindingKey() {
      return "http";
    }

    @Override
    public boolean bind(ConfigReader r, String p, String tool, ObjectNode schema) {
      Optional<HttpOperation> op = operation(r, p, tool, schema, timeout);
      op.ifPresent(o -> operations.put(tool, o));
      return op.isPresent();
    }

    @Override
    public List<ImpliedTool> impliedTools() {
      return imported;
    }

    @Override
    public ConnectorSpec spec() {
      return new HttpConnectorSpec(name, baseUri, auth, connectTimeout, timeout, operations);
    }
  }

  /** A tool's {@code http:} binding; its timeout defaults to the connector's. */
  private static Optional<HttpOperation> operation(
      ConfigReader r, String p, String tool, ObjectNode schema, Duration connectorTimeout) {
    if (!r.isObject(p, true)) {
      return Optional.empty();
    }
    r.onlyKeys(p, Set.of("method", "path", "query", "body", "timeout"));
    Optional<String> method = r.string(p + "/method", true).map(m -> m.toUpperCase(java.util.Locale.ROOT));
    method.filter(m -> !METHODS.contains(m))
        .ifPresent(m -> r.problem(p + "/method", "'" + m + "' is not one of " + METHODS.stream().sorted().toList()));
    Optional<UrlTemplate> path = r.string(p + "/path", true).flatMap(text -> {
      if (!text.startsWith("/")) {
        r.problem(p + "/path", "must start with '/' (it is appended to the connector's baseUrl)");
        return Optional.empty();
      }
      try {
        return Optional.of(UrlTemplate.parse(text));
      } catch (IllegalArgumentException e) {
        r.problem(p + "/path", e.getMessage());
        return Optional.empty();
      }
    });
    List<String> query = r.at(p + "/query").isMissingNode() ? List.of() : r.strings(p + "/query", false);
    boolean sendsBody = method.map(m -> !m.equals("GET") && !m.equals("DELETE")).orElse(false);
    String bodyText = r.string(p + "/body", sendsBody ? "arguments" : "none");
    HttpOperation.BodyMode body = HttpOperation.BodyMode.NONE;
    switch (bodyText) {
      case "none" -> {}
      case "arguments" -> {
        if (method.map(m -> m.equals("GET")).orElse(false)) {
          r.problem(p + "/body", "a GET request carries no body; send arguments as query parameters");
        }
        body = HttpOperation.BodyMode.REMAINING_ARGUMENTS;
      }
      default -> r.problem(p + "/body", "'" + bodyText + "' is not one of [none, arguments]");
    }
    Duration timeout = r.duration(p + "/timeout", connectorTimeout);
    if (schema != null) {
      Set<String> properties = new HashSet<>();
      schema.path("properties").propertyNames().forEach(properties::add);
      Set<String> required = new HashSet<>();
      schema.path("required").forEach(v -> required.add(v.asString()));
      path.ifPresent(t -> t.variables().stream()
          .filter(v -> !required.contains(v) || !properties.contains(v))
          .forEach(v -> r.problem(p + "/path", "path variable {" + v
              + "} must be a required property of inputSchema, so every call can fill it")));
      for (int i = 0; i < query.size(); i++) {
        if (!properties.contains(query.get(i))) {
          r.problem(p + "/query/" + i, "'" + query.get(i) + "' is not a property of inputSchema");
        }
      }
    }
    if (method.isEmpty() || path.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new HttpOperation(tool, method.get(), path.get(), query, body, timeout));
  }

  /** The connector as {@code config check --print} shows it. */
  static Map<String, Object> normalized(HttpConnectorSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("type", "http");
    m.put("baseUrl", s.baseUri().toString());
    s.auth().ifPresent(a -> {
      Map<String, Object> auth = new LinkedHashMap<>();
      switch (a) {
        case HttpAuth.StaticSecret st -> {
          auth.put("type", st.header().equals("Authorization") && st.prefix().equals("Bearer ") ? "bearer" : "header");
          auth.put("header", st.header());
          auth.put("secret", st.secret().toString());
        }
        case HttpAuth.ClientCredentials cc -> {
          auth.put("type", "oauth2-client-credentials");
          auth.put("tokenUrl", cc.tokenUri().toString());
          auth.put("clientId", cc.clientId());
          auth.put("clientSecret", cc.clientSecret().toString());
          auth.put("scope", cc.scope());
        }
      }
      m.put("auth", auth);
    });
    m.put("connectTimeout", NormalizedConfig.duration(s.connectTimeout()));
    m.put("timeout", NormalizedConfig.duration(s.timeout()));
    return m;
  }

  /** A tool's operation as {@code config check --print} shows it. */
  static Map<String, Object> normalized(HttpOperation op) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", op.method());
    m.put("path", op.path().source());
    m.put("query", List.copyOf(op.queryArguments()));
    m.put("body", op.body() == HttpOperation.BodyMode.NONE ? "none" : "arguments");
    m.put("timeout", NormalizedConfig.duration(op.timeout()));
    return m;
  }
}
