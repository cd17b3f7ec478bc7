package dev.portcullis.config;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.connector.http.HttpAuth;
import dev.portcullis.connector.http.HttpOperation;
import dev.portcullis.identity.AgentSpec;
import dev.portcullis.identity.IssuerSpec;
import dev.portcullis.catalog.ArgumentLimits;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.ToolFacts;
import dev.portcullis.vault.SecretRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads the one declarative configuration file: validates every field, compiles schemas and
 * conditions, and either returns a sealed {@link GatewayConfig} or throws a {@link
 * ConfigException} that lists every problem with its line. A bad file never yields a
 * half-working gateway.
 */
public final class ConfigLoader {
  public static final String API_VERSION = "portcullis.dev/v1alpha1";
  static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");
  static final String ID_RULE = "must be lowercase letters, digits and '-' (at most 64)";

  private ConfigLoader() {}

  /** Loads {@code file}, filling {@code ${VAR}} references from {@code environment}. */
  public static GatewayConfig load(Path file, Map<String, String> environment) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          file, List.of(new ConfigException.Problem(0, "", "cannot read the file: " + e.getMessage())));
    }
    List<ConfigException.Problem> early = new ArrayList<>();
    text = Interpolation.apply(text, environment, early);
    if (!early.isEmpty()) {
      throw new ConfigException(file, early);
    }
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    LocatedYaml yaml;
    try {
      yaml = LocatedYaml.parse(text);
    } catch (ConfigException.Problem p) {
      throw new ConfigException(file, List.of(p));
    }
    ConfigReader r = new ConfigReader(yaml);
    if (!yaml.root().isObject()) {
      r.problem("", "the file must be a YAML mapping (apiVersion, kind, server, agents, …)");
      throw new ConfigException(file, r.problems());
    }
    r.onlyKeys("", Set.of("apiVersion", "kind", "server", "identity", "vault", "agents", "connectors", "tools", "policies"));
    r.string("/apiVersion", true)
        .filter(v -> !v.equals(API_VERSION))
        .ifPresent(v -> r.problem("/apiVersion", "'" + v + "' is not supported; use " + API_VERSION));
    r.string("/kind", true)
        .filter(v -> !v.equals("Gateway"))
        .ifPresent(v -> r.problem("/kind", "'" + v + "' is not supported; use Gateway"));

    ServerSettings server = server(r);
    VaultSettings vault = vault(r);
    IdentitySection identity = new IdentitySection(r);
    List<IssuerSpec> issuers = identity.issuers();
    List<AgentSpec> agents = identity.agents();
    Map<String, SqlSection.Draft> sqlConnectors = new LinkedHashMap<>();
    Map<String, ConnectorDraft> connectors = connectors(r, sqlConnectors);
    Set<String> connectorNames = new HashSet<>(connectors.keySet());
    connectorNames.addAll(sqlConnectors.keySet());
    ToolSection tools = new ToolSection(r, connectorNames, sqlConnectors);
    List<CatalogEntry> entries = tools.read();
    tools.operations().forEach((connector, ops) -> {
      ConnectorDraft draft = connectors.get(connector);
      if (draft != null) {
        ops.forEach(op -> draft.operations.put(op.toolName(), withDefaultTimeout(op, draft.timeout)));
      }
    });
    Set<String> agentIds = new HashSet<>();
    agents.forEach(a -> agentIds.add(a.id()));
    List<Path> policyPaths = policyPaths(r, file);
    List<ToolFacts> facts = toolFacts(entries);
    CompiledPolicy policy = new PolicyLoader(facts, agentIds).loadInto(policyPaths, r.problems());

    if (!r.problems().isEmpty()) {
      throw new ConfigException(file, r.problems());
    }
    List<HttpConnectorSpec> specs =
        connectors.values().stream()
            .map(d -> new HttpConnectorSpec(d.name, d.baseUri, d.auth, d.connectTimeout, d.timeout, d.operations))
            .toList();
    List<SqlConnectorSpec> sqlSpecs = sqlConnectors.values().stream().map(SqlSection.Draft::spec).toList();
    return new GatewayConfig(
        file.toAbsolutePath(), sha256(bytes), server, vault, issuers, agents, specs, entries, policyPaths, policy,
        sqlSpecs);
  }

  /** {@code policies}: files or directories, relative to the configuration file. */
  private static List<Path> policyPaths(ConfigReader r, Path file) {
    Path base = file.toAbsolutePath().getParent();
    List<String> texts = r.at("/policies").isMissingNode() ? List.of() : r.strings("/policies", false);
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      Path p = base.resolve(texts.get(i)).normalize();
      if (!Files.exists(p)) {
        r.problem("/policies/" + i, "no policy file or directory '" + texts.get(i)
            + "' (paths are relative to the configuration file)");
      } else {
        out.add(p);
      }
    }
    return out;
  }

  /** What policy needs to know of each tool. */
  public static List<ToolFacts> toolFacts(List<CatalogEntry> entries) {
    return entries.stream().map(e -> {
      Set<String> args = new java.util.LinkedHashSet<>();
      e.tool().inputSchema().path("properties").propertyNames().forEach(args::add);
      return new ToolFacts(e.tool().name(), e.tool().risk().wireName(), e.tool().connector(), args);
    }).toList();
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static HttpOperation withDefaultTimeout(HttpOperation op, Duration connectorTimeout) {
    if (!op.timeout().equals(ToolSection.UNSET_TIMEOUT)) {
      return op;
    }
    return new HttpOperation(op.toolName(), op.method(), op.path(), op.queryArguments(), op.body(), connectorTimeout);
  }

  private static ServerSettings server(ConfigReader r) {
    String p = "/server";
    boolean present = r.isObject(p, false);
    if (present) {
      r.onlyKeys(p, Set.of("listen", "allowedHosts", "allowedOrigins", "maxRequestBytes", "arguments"));
    }
    String listen = r.string(p + "/listen", "127.0.0.1:8080");
    String host = "127.0.0.1";
    int port = 8080;
    int colon = listen.lastIndexOf(':');
    try {
      host = listen.substring(0, Math.max(colon, 0));
      port = Integer.parseInt(listen.substring(colon + 1));
      if (colon <= 0 || port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      r.problem(p + "/listen", "'" + listen + "' must be HOST:PORT, such as 127.0.0.1:8080");
    }
    List<String> hosts =
        r.at(p + "/allowedHosts").isMissingNode()
            ? List.of("localhost", "127.0.0.1", "[::1]")
            : r.strings(p + "/allowedHosts", false);
    List<String> origins =
        r.at(p + "/allowedOrigins").isMissingNode() ? List.of() : r.strings(p + "/allowedOrigins", false);
    int maxRequest = r.integer(p + "/maxRequestBytes", 1024 * 1024, 1024, 64 * 1024 * 1024);
    if (r.isObject(p + "/arguments", false)) {
      r.onlyKeys(p + "/arguments", Set.of("maxBytes", "maxDepth"));
    }
    ArgumentLimits limits =
        new ArgumentLimits(
            r.integer(p + "/arguments/maxBytes", ArgumentLimits.DEFAULT.maxBytes(), 16, 16 * 1024 * 1024),
            r.integer(p + "/arguments/maxDepth", ArgumentLimits.DEFAULT.maxDepth(), 1, 128));
    return new ServerSettings(host, port, hosts, origins, maxRequest, limits);
  }

  private static Map<String, ConnectorDraft> connectors(ConfigReader r, Map<String, SqlSection.Draft> sql) {
    Map<String, ConnectorDraft> out = new LinkedHashMap<>();
    int n = r.list("/connectors", true);
    for (int i = 0; i < n; i++) {
      String p = "/connectors/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      Optional<String> name = r.matching(p + "/name", true, ID, ID_RULE);
      Optional<String> type = r.string(p + "/type", true);
      type.filter(t -> !t.equals("http") && !t.equals("sql"))
          .ifPresent(t -> r.problem(p + "/type", "'" + t + "' is not a connector type; this version has: http, sql"));
      if (type.filter("sql"::equals).isPresent()) {
        Optional<SqlSection.Draft> draft = SqlSection.connector(r, p, name.orElse("?"));
        if (name.isPresent() && (out.containsKey(name.get()) || sql.containsKey(name.get()))) {
          r.problem(p + "/name", "connector '" + name.get() + "' is defined twice");
        } else if (name.isPresent() && draft.isPresent()) {
          sql.put(name.get(), draft.get());
        }
        continue;
      }
      r.onlyKeys(p, Set.of("name", "type", "baseUrl", "auth", "connectTimeout", "timeout"));
      URI base = r.string(p + "/baseUrl", true).map(u -> baseUri(r, p + "/baseUrl", u)).orElse(null);
      Optional<HttpAuth> auth = auth(r, p + "/auth");
      Duration connect = r.duration(p + "/connectTimeout", Duration.ofSeconds(2));
      Duration timeout = r.duration(p + "/timeout", Duration.ofSeconds(10));
      if (name.isPresent()) {
        if (out.containsKey(name.get()) || sql.containsKey(name.get())) {
          r.problem(p + "/name", "connector '" + name.get() + "' is defined twice");
        } else if (base != null) {
          out.put(name.get(), new ConnectorDraft(name.get(), base, auth, connect, timeout));
        }
      }
    }
    return out;
  }

  private static URI baseUri(ConfigReader r, String p, String text) {
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
    Optional<SecretRef> secret =
        r.string(p + "/secret", true).flatMap(s -> {
          try {
            return Optional.of(SecretRef.parse(s));
          } catch (IllegalArgumentException e) {
            r.problem(p + "/secret", e.getMessage());
            return Optional.empty();
          }
        });
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

  /** {@code vault}: the embedded vault by default, or a HashiCorp Vault KV v2 engine. */
  private static VaultSettings vault(ConfigReader r) {
    String p = "/vault";
    if (!r.isObject(p, false)) {
      return VaultSettings.EMBEDDED;
    }
    r.onlyKeys(p, Set.of("backend", "hashicorp"));
    String backend = r.string(p + "/backend", "embedded");
    if (backend.equals("embedded")) {
      if (!r.at(p + "/hashicorp").isMissingNode()) {
        r.problem(p + "/hashicorp", "is only read with backend: hashicorp");
      }
      return VaultSettings.EMBEDDED;
    }
    if (!backend.equals("hashicorp")) {
      r.problem(p + "/backend", "'" + backend + "' is not one of [embedded, hashicorp]");
      return VaultSettings.EMBEDDED;
    }
    String h = p + "/hashicorp";
    if (!r.isObject(h, true)) {
      return VaultSettings.EMBEDDED;
    }
    r.onlyKeys(h, Set.of("address", "mount", "token", "namespace"));
    URI address = r.string(h + "/address", true).map(u -> baseUri(r, h + "/address", u)).orElse(null);
    String mount = r.string(h + "/mount", "secret");
    Optional<SecretRef> token = r.string(h + "/token", true).flatMap(t -> {
      try {
        SecretRef ref = SecretRef.parse(t);
        if (ref.scheme().equals("vault")) {
          r.problem(h + "/token", "the Vault token cannot itself be in the vault; use env:NAME or file:PATH");
          return Optional.empty();
        }
        return Optional.of(ref);
      } catch (IllegalArgumentException e) {
        r.problem(h + "/token", e.getMessage());
        return Optional.empty();
      }
    });
    String namespace = r.string(h + "/namespace", (String) null);
    if (address == null || token.isEmpty()) {
      return VaultSettings.EMBEDDED;
    }
    return new VaultSettings(Optional.of(new VaultSettings.HashiCorp(address, mount, token.get(), namespace)));
  }

  /** {@code type: oauth2-client-credentials}: token URL, client id, client secret reference, scope. */
  private static Optional<HttpAuth> clientCredentials(ConfigReader r, String p) {
    r.onlyKeys(p, Set.of("type", "tokenUrl", "clientId", "clientSecret", "scope"));
    URI token = r.string(p + "/tokenUrl", true).map(u -> baseUri(r, p + "/tokenUrl", u)).orElse(null);
    Optional<String> client = r.string(p + "/clientId", true);
    Optional<SecretRef> secret = r.string(p + "/clientSecret", true).flatMap(s -> {
      try {
        return Optional.of(SecretRef.parse(s));
      } catch (IllegalArgumentException e) {
        r.problem(p + "/clientSecret", e.getMessage());
        return Optional.empty();
      }
    });
    String scope = r.string(p + "/scope", (String) null);
    if (token == null || client.isEmpty() || secret.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new HttpAuth.ClientCredentials(token, client.get(), secret.get(), scope));
  }

  /** A connector before its tools' operations are known. */
  static final class ConnectorDraft {
    final String name;
    final URI baseUri;
    final Optional<HttpAuth> auth;
    final Duration connectTimeout;
    final Duration timeout;
    final Map<String, HttpOperation> operations = new HashMap<>();

    ConnectorDraft(String name, URI baseUri, Optional<HttpAuth> auth, Duration connectTimeout, Duration timeout) {
      this.name = name;
      this.baseUri = baseUri;
      this.auth = auth;
      this.connectTimeout = connectTimeout;
      this.timeout = timeout;
    }
  }
}
