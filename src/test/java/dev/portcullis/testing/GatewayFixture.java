package dev.portcullis.testing;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.cli.Assembly;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.edge.GatewayServer;
import dev.portcullis.sample.acme.AcmeServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * A real gateway for tests: the Acme sample on a free port, the demo configuration (or another), a
 * fresh data directory, and the HTTP edges on a free port. Everything real; nothing mocked.
 */
public final class GatewayFixture implements AutoCloseable {
  public static final Path DEMO_CONFIG = Path.of("examples/demo/portcullis.yaml");
  public static final String SUPPORT_KEY = "pcl_demo_support_assistant_key_not_for_production";
  public static final String BILLING_KEY = "pcl_demo_billing_assistant_key_not_for_production";
  public static final String APPROVER_KEY = "pcl_demo_approver_olivia_key_not_for_production";
  public static final String SECOND_APPROVER_KEY = "pcl_demo_approver_omar_key_not_for_production";
  public static final String ACME_TOKEN = "acme-test-token-0123456789abcdef";

  private final AcmeServer acme;
  private final Assembly assembly;
  private final GatewayServer server;
  private final Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private GatewayFixture(AcmeServer acme, Assembly assembly, GatewayServer server, Path dataDir) {
    this.acme = acme;
    this.assembly = assembly;
    this.server = server;
    this.dataDir = dataDir;
  }

  /** The demo configuration in front of a fresh Acme. */
  public static GatewayFixture start(Path dataDir) {
    return start(dataDir, DEMO_CONFIG, Map.of());
  }

  /**
   * Writes the demo configuration into {@code dir} with {@code policySet} (a PolicySet file's text)
   * as its only policy file, and answers the configuration's path.
   */
  public static Path demoConfigWithPolicies(Path dir, String policySet) throws IOException {
    Path config = dir.resolve("portcullis.yaml");
    String demo = Files.readString(DEMO_CONFIG, StandardCharsets.UTF_8);
    String replaced = demo.replace("policies:\n  - policies/", "policies:\n  - only-policies/");
    if (replaced.equals(demo)) {
      throw new IllegalStateException(DEMO_CONFIG + " no longer lists 'policies/' as its policies");
    }
    Files.writeString(config, replaced, StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve("only-policies"));
    Files.writeString(
        dir.resolve("only-policies/policies.yaml"), policySet, StandardCharsets.UTF_8);
    return config;
  }

  /**
   * Copies the demo configuration and its policies into {@code dir}, with {@code sections} (YAML
   * top-level sections, such as {@code audit: {durability: intent}}) added, and answers its path.
   */
  public static Path demoConfigWith(Path dir, String sections) throws IOException {
    Path from = DEMO_CONFIG.getParent();
    try (var files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path to = dir.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Path config = dir.resolve(DEMO_CONFIG.getFileName().toString());
    Files.writeString(
        config,
        "\n" + sections + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    return config;
  }

  /**
   * {@code config} in front of a fresh Acme; {@code ${ACME_URL}} and {@code ${ACME_MCP_URL}} point
   * at it.
   */
  public static GatewayFixture start(Path dataDir, Path config, Map<String, String> env) {
    return start(dataDir, config, env, Clock.systemUTC());
  }

  /** As {@link #start(Path, Path, Map)}, telling the time with {@code clock}. */
  public static GatewayFixture start(
      Path dataDir, Path config, Map<String, String> env, Clock clock) {
    writeAcmeToken(dataDir);
    AcmeServer acme = AcmeServer.start("127.0.0.1", 0, ACME_TOKEN);
    try {
      Map<String, String> all = new HashMap<>(env);
      all.put("ACME_URL", acme.baseUri() + "/api");
      all.put("ACME_MCP_URL", acme.baseUri() + "/mcp");
      GatewayConfig cfg = ConfigLoader.load(config, all);
      Assembly assembly = Assembly.open(cfg, dataDir, all, clock);
      assembly.upstreamTools().relist(); // as serve does at start, but before the first call
      return new GatewayFixture(acme, assembly, assembly.serve(0), dataDir);
    } catch (Exception e) {
      acme.close();
      throw new IllegalStateException("cannot start the test gateway: " + e.getMessage(), e);
    }
  }

  public static void writeAcmeToken(Path dataDir) {
    try {
      Files.createDirectories(dataDir.resolve("secrets"));
      Files.writeString(
          dataDir.resolve("secrets/acme-api-token"), ACME_TOKEN + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public AcmeServer acme() {
    return acme;
  }

  public Assembly assembly() {
    return assembly;
  }

  public Path dataDir() {
    return dataDir;
  }

  public int port() {
    return server.port();
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** {@code POST /v1/tools/{tool}:invoke} with {@code key} (null for none) and a JSON body. */
  public HttpResponse<String> invoke(String tool, String key, String body, String... headers) {
    return post("/v1/tools/" + tool + ":invoke", key, body, headers);
  }

  /** {@code GET path} with {@code key} (null for none). */
  public HttpResponse<String> get(String path, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUri() + path)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b.GET().build());
  }

  /**
   * {@code POST path} with {@code key} (null for none), a JSON body and {@code headers} (name,
   * value, …).
   */
  public HttpResponse<String> post(String path, String key, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUri() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  /**
   * {@code POST /v1/approvals/{approvalId}:approve} with an approver's {@code key} and {@code
   * body}.
   */
  public HttpResponse<String> approve(String approvalId, String key, String body) {
    return post("/v1/approvals/" + approvalId + ":approve", key, body);
  }

  /**
   * POSTs {@code body} to {@code path} once with each key, all released at the same moment, and
   * gives the answers in the keys' order: for races such as two approvers deciding one request.
   */
  public List<HttpResponse<String>> postAtOnce(String path, String body, List<String> keys) {
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<HttpResponse<String>>> racers = new ArrayList<>();
    for (String key : keys) {
      racers.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return post(path, key, body);
              }));
    }
    go.countDown();
    return racers.stream().map(CompletableFuture::join).toList();
  }

  /**
   * The environment a configuration with OIDC agent and user issuers reads: {@code AGENT_ISSUER},
   * {@code AGENT_JWKS}, {@code USER_ISSUER}.
   */
  public static Map<String, String> oidcIssuers(MockOAuth2Server idp) {
    return Map.of(
        "AGENT_ISSUER", idp.issuerUrl("agents").toString(),
        "AGENT_JWKS", idp.jwksUrl("agents").toString(),
        "USER_ISSUER", idp.issuerUrl("users").toString());
  }

  /** Every audit record so far, oldest first. */
  public List<AuditRecord> audit() throws AuditLog.AuditUnavailableException {
    List<AuditRecord> records = new ArrayList<>();
    assembly.auditLog().scan(records::add);
    return records;
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close();
    assembly.close();
    acme.close();
  }
}
