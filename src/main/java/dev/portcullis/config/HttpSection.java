package dev.portcullis.config;

import dev.portcullis.connector.http.HttpAuth;
import dev.portcullis.connector.http.HttpOperation;
import dev.portcullis.connector.http.JsonTemplate;
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

  /**
   * The key by which an HTTP connector declares that its upstream deduplicates on the idempotency
   * key the connector forwards; only this connector type forwards one.
   */
  static final String HONOURS_KEYS = "upstreamHonoursIdempotencyKeys";

  static Optional<ConnectorDraft> connector(ConfigReader r, String p, String name) {
    r.onlyKeys(
        p,
        Set.of(
            "name",
            "type",
            "baseUrl",
            "auth",
            "connectTimeout",
            "timeout",
            "openapi",
            HONOURS_KEYS));
    URI base = r.string(p + "/baseUrl", true).map(u -> baseUri(r, p + "/baseUrl", u)).orElse(null);
    Optional<HttpAuth> auth = auth(r, p + "/auth");
    Duration connect = r.duration(p + "/connectTimeout", Duration.ofSeconds(2));
    Duration timeout = r.duration(p + "/timeout", Duration.ofSeconds(10));
    boolean honoursKeys = r.flag(p + "/" + HONOURS_KEYS, false);
    List<ImpliedTool> imported = OpenApiImport.read(r, p + "/openapi", name);
    return base == null
        ? Optional.empty()
        : Optional.of(new Draft(name, base, auth, connect, timeout, honoursKeys, imported));
  }

  /**
   * An {@code http(s)://host[:port][/path]} URL without query or user info, trailing '/' dropped.
   */
  static URI baseUri(ConfigReader r, String p, String text) {
    try {
      URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getQuery() != null
          || uri.getUserInfo() != null) {
        throw new java.net.URISyntaxException(
            text, "need http(s)://host[:port][/path], no query or user info");
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
    if (type.equals("basic")) {
      r.onlyKeys(p, Set.of("type", "username", "secret"));
      Optional<String> user =
          r.matching(
              p + "/username",
              true,
              Pattern.compile("[^:\\p{Cntrl}]{1,256}"),
              "is not a Basic user name (no ':' or control characters)");
      Optional<SecretRef> password = r.secretRef(p + "/secret", true);
      return user.isPresent() && password.isPresent()
          ? Optional.of(new HttpAuth.Basic(user.get(), password.get()))
          : Optional.empty();
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
            r.matching(
                p + "/header",
                true,
                Pattern.compile("[A-Za-z0-9-]{1,64}"),
                "is not an HTTP header name");
        if (header.isPresent() && secret.isPresent()) {
          return Optional.of(HttpAuth.header(header.get(), secret.get()));
        }
        return Optional.empty();
      }
      case "" -> {
        return Optional.empty();
      }
      default -> {
        r.problem(
            p + "/type",
            "'" + type + "' is not one of [basic, bearer, header, oauth2-client-credentials]");
        return Optional.empty();
      }
    }
  }

  /**
   * {@code type: oauth2-client-credentials}: token URL, client id, client secret reference, scope.
   */
  private static Optional<HttpAuth> clientCredentials(ConfigReader r, String p) {
    r.onlyKeys(p, Set.of("type", "tokenUrl", "clientId", "clientSecret", "scope"));
    URI token =
        r.string(p + "/tokenUrl", true).map(u -> baseUri(r, p + "/tokenUrl", u)).orElse(null);
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
    private final boolean honoursKeys;
    private final Map<String, HttpOperation> operations = new HashMap<>();
    private final List<ImpliedTool> imported;

    Draft(
        String name,
        URI baseUri,
        Optional<HttpAuth> auth,
        Duration connectTimeout,
        Duration timeout,
        boolean honoursKeys,
        List<ImpliedTool> imported) {
      this.imported = List.copyOf(imported);
      this.honoursKeys = honoursKeys;
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
      return new HttpConnectorSpec(
          name, baseUri, auth, connectTimeout, timeout, operations, honoursKeys);
    }
  }

  /** A tool's {@code http:} binding; its timeout defaults to the connector's. */
  private static Optional<HttpOperation> operation(
      ConfigReader r, String p, String tool, ObjectNode schema, Duration connectorTimeout) {
    if (!r.isObject(p, true)) {
      return Optional.empty();
    }
    r.onlyKeys(p, Set.of("method", "path", "query", "body", "timeout"));
    Optional<String> method =
        r.string(p + "/method", true).map(m -> m.toUpperCase(java.util.Locale.ROOT));
    method
        .filter(m -> !METHODS.contains(m))
        .ifPresent(
            m ->
                r.problem(
                    p + "/method",
                    "'" + m + "' is not one of " + METHODS.stream().sorted().toList()));
    Optional<UrlTemplate> path =
        r.string(p + "/path", true)
            .flatMap(
                text -> {
                  if (!text.startsWith("/")) {
                    r.problem(
                        p + "/path",
                        "must start with '/' (it is appended to the connector's baseUrl)");
                    return Optional.empty();
                  }
                  try {
                    return Optional.of(UrlTemplate.parse(text));
                  } catch (IllegalArgumentException e) {
                    r.problem(p + "/path", e.getMessage());
                    return Optional.empty();
                  }
                });
    List<String> query = new java.util.ArrayList<>();
    Map<String, JsonTemplate> queryTemplates = new LinkedHashMap<>();
    if (r.at(p + "/query").isObject()) {
      for (String param : r.at(p + "/query").propertyNames()) {
        template(r, p + "/query/" + pointerPart(param))
            .ifPresentOrElse(
                t -> queryTemplates.put(param, t), () -> queryTemplates.put(param, null));
      }
    } else if (!r.at(p + "/query").isMissingNode()) {
      query.addAll(r.strings(p + "/query", false));
    }
    boolean sendsBody = method.map(m -> !m.equals("GET") && !m.equals("DELETE")).orElse(false);
    HttpOperation.BodyMode body = HttpOperation.BodyMode.NONE;
    JsonTemplate bodyTemplate = null;
    if (r.at(p + "/body").isObject()) {
      r.onlyKeys(p + "/body", Set.of("template"));
      if (method.map(m -> m.equals("GET")).orElse(false)) {
        r.problem(p + "/body", "a GET request carries no body; send arguments as query parameters");
      }
      if (r.at(p + "/body/template").isMissingNode()) {
        r.problem(p + "/body/template", "is required");
      } else {
        bodyTemplate = template(r, p + "/body/template").orElse(null);
        body = bodyTemplate == null ? HttpOperation.BodyMode.NONE : HttpOperation.BodyMode.TEMPLATE;
      }
    } else {
      String bodyText = r.string(p + "/body", sendsBody ? "arguments" : "none");
      switch (bodyText) {
        case "none" -> {}
        case "arguments" -> {
          if (method.map(m -> m.equals("GET")).orElse(false)) {
            r.problem(
                p + "/body", "a GET request carries no body; send arguments as query parameters");
          }
          body = HttpOperation.BodyMode.REMAINING_ARGUMENTS;
        }
        default ->
            r.problem(
                p + "/body",
                "'" + bodyText + "' is not one of [none, arguments] or a {template: …}");
      }
    }
    Duration timeout = r.duration(p + "/timeout", connectorTimeout);
    // A template that did not compile was reported; its arguments are unknown, so say nothing more
    // of them.
    boolean templatesCompiled = !queryTemplates.containsValue(null);
    queryTemplates.values().removeIf(java.util.Objects::isNull);
    if (schema != null) {
      Set<String> properties = new HashSet<>();
      schema.path("properties").propertyNames().forEach(properties::add);
      Set<String> required = new HashSet<>();
      schema.path("required").forEach(v -> required.add(v.asString()));
      path.ifPresent(
          t ->
              t.variables().stream()
                  .filter(v -> !required.contains(v) || !properties.contains(v))
                  .forEach(
                      v ->
                          r.problem(
                              p + "/path",
                              "path variable {"
                                  + v
                                  + "} must be a required property of inputSchema, so every call can fill it")));
      for (int i = 0; i < query.size(); i++) {
        if (!properties.contains(query.get(i))) {
          r.problem(p + "/query/" + i, "'" + query.get(i) + "' is not a property of inputSchema");
        }
      }
      queryTemplates.forEach(
          (param, t) ->
              checkTemplate(r, p + "/query/" + pointerPart(param), t, properties, required));
      if (bodyTemplate != null && templatesCompiled) {
        checkTemplate(r, p + "/body/template", bodyTemplate, properties, required);
        Set<String> sent = new HashSet<>(bodyTemplate.arguments());
        path.ifPresent(t -> sent.addAll(t.variables()));
        sent.addAll(query);
        queryTemplates.values().forEach(t -> sent.addAll(t.arguments()));
        properties.stream()
            .filter(a -> !sent.contains(a))
            .sorted()
            .forEach(
                a ->
                    r.problem(
                        p + "/body/template",
                        "argument '"
                            + a
                            + "' of inputSchema is sent nowhere (not in the path, the query or this template)"));
      }
    }
    if (method.isEmpty() || path.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new HttpOperation(
            tool, method.get(), path.get(), query, queryTemplates, body, bodyTemplate, timeout));
  }

  private static String pointerPart(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /** A {@link JsonTemplate} at {@code p}; a problem at the exact node when it does not compile. */
  private static Optional<JsonTemplate> template(ConfigReader r, String p) {
    if (r.at(p).isNull()) {
      r.problem(p, "must have a value (a fixed value, {$arg: …} or {$text: …, $escape: …})");
      return Optional.empty();
    }
    try {
      return Optional.of(JsonTemplate.compile(r.at(p)));
    } catch (JsonTemplate.InvalidTemplateException e) {
      r.problem(p + e.pointer(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Every argument a template names is in inputSchema; those inside {@code $text} are required. */
  private static void checkTemplate(
      ConfigReader r, String p, JsonTemplate t, Set<String> properties, Set<String> required) {
    t.arguments().stream()
        .filter(a -> !properties.contains(a))
        .sorted()
        .forEach(a -> r.problem(p, "argument '" + a + "' is not a property of inputSchema"));
    t.textArguments().stream()
        .filter(a -> properties.contains(a) && !required.contains(a))
        .sorted()
        .forEach(
            a ->
                r.problem(
                    p,
                    "argument '"
                        + a
                        + "' is inserted into $text, so it must be a required property of inputSchema"));
  }

  /** The connector as {@code config check --print} shows it. */
  static Map<String, Object> normalized(HttpConnectorSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("type", "http");
    m.put("baseUrl", s.baseUri().toString());
    s.auth()
        .ifPresent(
            a -> {
              Map<String, Object> auth = new LinkedHashMap<>();
              switch (a) {
                case HttpAuth.StaticSecret st -> {
                  auth.put(
                      "type",
                      st.header().equals("Authorization") && st.prefix().equals("Bearer ")
                          ? "bearer"
                          : "header");
                  auth.put("header", st.header());
                  auth.put("secret", st.secret().toString());
                }
                case HttpAuth.Basic b -> {
                  auth.put("type", "basic");
                  auth.put("username", b.username());
                  auth.put("secret", b.password().toString());
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
    m.put(HONOURS_KEYS, s.upstreamHonoursIdempotencyKeys());
    return m;
  }

  /** A tool's operation as {@code config check --print} shows it. */
  static Map<String, Object> normalized(HttpOperation op) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", op.method());
    m.put("path", op.path().source());
    if (op.queryTemplates().isEmpty()) {
      m.put("query", List.copyOf(op.queryArguments()));
    } else {
      Map<String, Object> query = new LinkedHashMap<>();
      op.queryTemplates().forEach((k, t) -> query.put(k, t.source()));
      m.put("query", query);
    }
    m.put(
        "body",
        switch (op.body()) {
          case NONE -> "none";
          case REMAINING_ARGUMENTS -> "arguments";
          case TEMPLATE ->
              java.util.Collections.singletonMap("template", op.bodyTemplate().source());
        });
    m.put("timeout", NormalizedConfig.duration(op.timeout()));
    return m;
  }
}
