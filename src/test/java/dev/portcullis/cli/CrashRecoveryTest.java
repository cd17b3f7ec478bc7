package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kills a real gateway process ({@code SIGKILL}) while a call is executing, or awaiting approval,
 * or executing once approved, restarts it on the same data directory, and checks that every call
 * reached the upstream at most once (an interrupted one is left for an operator to reconcile and
 * never sent again; a parked one is approved after the restart and runs once), and that the audit
 * chain still verifies.
 */
class CrashRecoveryTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern REST = Pattern.compile("REST\\s+http://[^:/]+:(\\d+)/");
  private static final String PAYMENT = "{\"arguments\":{\"payee\":\"ACME-7\",\"amount\":120}}";

  @TempDir Path dir;
  private HttpServer upstream;
  private ExecutorService upstreamThreads;
  private final AtomicInteger payments = new AtomicInteger();
  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Gateway> started = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** A payment system that holds each request until the test releases it. */
  @BeforeEach
  void startUpstream() throws IOException {
    upstreamThreads = Executors.newVirtualThreadPerTaskExecutor();
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.setExecutor(upstreamThreads);
    upstream.createContext(
        "/api/payments",
        exchange -> {
          payments.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          arrived.countDown();
          try {
            release.await(120, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = "{\"payment\":\"P-1\"}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          try {
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
          } catch (IOException gone) {
            // the gateway that asked was killed
          }
          exchange.close();
        });
    upstream.start();
  }

  @AfterEach
  void stopAll() {
    started.forEach(g -> g.process.destroyForcibly());
    release.countDown();
    upstream.stop(0);
    upstreamThreads.close();
  }

  @Test
  void aCallExecutingWhenTheGatewayIsKilledAwaitsReconciliationAndIsNeverSentAgain()
      throws Exception {
    Path config = writeConfig();
    Path data = dir.resolve("data");
    Gateway first = start(config, data);
    String key = "pay-once-1";

    CompletableFuture<HttpResponse<String>> pending =
        http.sendAsync(invoke(first, key), HttpResponse.BodyHandlers.ofString());
    assertThat(arrived.await(60, TimeUnit.SECONDS)).as("the payment reached the upstream").isTrue();
    HttpResponse<String> duplicate =
        http.send(invoke(first, key), HttpResponse.BodyHandlers.ofString());
    assertThat(duplicate.statusCode()).as(duplicate.body()).isEqualTo(409);
    JsonNode inFlight = JSON.readTree(duplicate.body());
    assertThat(inFlight.path("type").asString())
        .isEqualTo("urn:portcullis:problem:idempotency-key-in-flight");
    String id = inFlight.path("firstInvocationId").asString();
    assertThat(get(first, id).path("state").asString()).isEqualTo("executing");

    first.process.destroyForcibly();
    assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> pending.get(60, TimeUnit.SECONDS))
        .as("the killed gateway never answered")
        .isInstanceOf(ExecutionException.class);
    Gateway second = start(config, data);

    JsonNode after = get(second, id);
    assertThat(after.path("state").asString()).isEqualTo("needs-reconciliation");
    assertThat(after.at("/error/kind").asString()).isEqualTo("interrupted");
    assertThat(after.path("history"))
        .extracting(h -> h.path("state").asString())
        .containsExactly("received", "checked", "executing", "needs-reconciliation");
    HttpResponse<String> retry =
        http.send(invoke(second, key), HttpResponse.BodyHandlers.ofString());
    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(409);
    assertThat(JSON.readTree(retry.body()).path("detail").asString()).contains("reconciliation");
    assertThat(payments).as("payments the upstream received").hasValue(1);
    assertThat(second.output())
        .contains("invocation " + id + " (tool payments_send")
        .contains("it is now NEEDS_RECONCILIATION and will not be re-executed");

    CliRun verify = stopAndVerifyAudit(second, data);
    assertThat(verify.out()).contains("audit chain intact");
    assertThat(auditStates(data, id)).containsExactly("EXECUTING", "NEEDS_RECONCILIATION");
    assertThat(payments).hasValue(1);
  }

  @Test
  void aCallAwaitingApprovalWhenTheGatewayIsKilledIsApprovedAfterTheRestartAndRunsOnce()
      throws Exception {
    release.countDown(); // the payment system answers at once here
    Path config = writeConfig(true);
    Path data = dir.resolve("data");
    Gateway first = start(config, data);
    HttpResponse<String> parked =
        http.send(invoke(first, "pay-approved-1"), HttpResponse.BodyHandlers.ofString());
    assertThat(parked.statusCode()).as(parked.body()).isEqualTo(202);
    String id = JSON.readTree(parked.body()).path("invocationId").asString();
    String approvalId = JSON.readTree(parked.body()).path("approvalId").asString();

    first.process.destroyForcibly();
    assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Gateway second = start(config, data);

    assertThat(get(second, id).path("state").asString()).isEqualTo("awaiting-approval");
    HttpResponse<String> approved = approve(second, approvalId);
    HttpResponse<String> again = approve(second, approvalId);
    HttpResponse<String> retry =
        http.send(invoke(second, "pay-approved-1"), HttpResponse.BodyHandlers.ofString());

    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(JSON.readTree(approved.body()).path("state").asString()).isEqualTo("completed");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
    assertThat(retry.statusCode())
        .as("the agent's retry replays the outcome: " + retry.body())
        .isEqualTo(200);
    assertThat(JSON.readTree(retry.body()).path("invocationId").asString()).isEqualTo(id);
    assertThat(payments).as("payments the upstream received").hasValue(1);

    stopAndVerifyAudit(second, data);
    assertThat(auditStates(data, id))
        .containsExactly("AWAITING_APPROVAL", "AWAITING_APPROVAL", "EXECUTING", "COMPLETED");
  }

  @Test
  void anApprovedCallExecutingWhenTheGatewayIsKilledIsNeverSentAgainAndAnOperatorSettlesIt()
      throws Exception {
    Path config = writeConfig(true);
    Path data = dir.resolve("data");
    Gateway first = start(config, data);
    HttpResponse<String> parked =
        http.send(invoke(first, "pay-approved-2"), HttpResponse.BodyHandlers.ofString());
    String id = JSON.readTree(parked.body()).path("invocationId").asString();
    String approvalId = JSON.readTree(parked.body()).path("approvalId").asString();

    CompletableFuture<HttpResponse<String>> approving =
        http.sendAsync(approveRequest(first, approvalId), HttpResponse.BodyHandlers.ofString());
    assertThat(arrived.await(60, TimeUnit.SECONDS))
        .as("the approved payment reached the upstream")
        .isTrue();
    first.process.destroyForcibly();
    assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> approving.get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    Gateway second = start(config, data);

    assertThat(get(second, id).path("state").asString()).isEqualTo("needs-reconciliation");
    HttpResponse<String> reapprove = approve(second, approvalId);
    assertThat(reapprove.statusCode())
        .as("the approval was used: " + reapprove.body())
        .isEqualTo(409);
    CliRun settle =
        CliRun.of(
            "invocations",
            "settle",
            id,
            "--as",
            "completed",
            "--reason",
            "payment P-1 found in the payment system",
            "--server",
            "http://127.0.0.1:" + second.port(),
            "--key",
            GatewayFixture.APPROVER_KEY);
    assertThat(settle.exitCode()).as(settle.out() + settle.err()).isZero();
    assertThat(get(second, id).path("state").asString()).isEqualTo("completed");
    assertThat(payments).as("payments the upstream received").hasValue(1);

    stopAndVerifyAudit(second, data);
    assertThat(auditStates(data, id))
        .startsWith("AWAITING_APPROVAL", "AWAITING_APPROVAL", "EXECUTING", "NEEDS_RECONCILIATION")
        .endsWith("COMPLETED");
  }

  private HttpResponse<String> approve(Gateway g, String approvalId) throws Exception {
    return http.send(approveRequest(g, approvalId), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest approveRequest(Gateway g, String approvalId) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + g.port() + "/v1/approvals/" + approvalId + ":approve"))
        .timeout(Duration.ofMinutes(2))
        .header("Authorization", "Bearer " + GatewayFixture.APPROVER_KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();
  }

  private Path writeConfig() throws IOException {
    return writeConfig(false);
  }

  /**
   * A payments tool the support agent may use; with {@code approval}, payments over 100 wait for
   * ops-olivia.
   */
  private Path writeConfig(boolean approval) throws IOException {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/pay.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: support-pays
            effect: permit
            target:
              agents: [support-assistant]
              tools: [payments_send]
        """
            + (approval
                ? """
          - id: payments-over-100-need-approval
            effect: require_approval
            target: {tools: [payments_send]}
            when: args.amount > 100
        """
                : ""),
        StandardCharsets.UTF_8);
    Path config = dir.resolve("portcullis.yaml");
    Files.writeString(
        config,
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: Gateway
        agents:
          - id: support-assistant
            tenant: acme
            keys: [sha256:cfc5abe5ab89535cafe1ded4d765d9d3a2e8f2d62682b8bea011bd51d96abef9]
        approvers:
          - id: ops-olivia
            keys: [sha256:e76daf5eb80d0629b7dd16117179f84d57fe79baccc82b46cbf4e03745c53e35]
        connectors:
          - name: payments
            type: http
            baseUrl: http://127.0.0.1:%d/api
            timeout: 60s
        tools:
          - name: payments_send
            description: Sends a payment. Not idempotent.
            risk: write
            connector: payments
            http: {method: POST, path: /payments}
            inputSchema:
              type: object
              properties:
                payee: {type: string}
                amount: {type: number}
              required: [payee, amount]
        policies: [policies]
        """
            .formatted(upstream.getAddress().getPort()),
        StandardCharsets.UTF_8);
    return config;
  }

  /** A gateway child process and everything it has printed. */
  private record Gateway(Process process, int port, List<String> lines) {
    String output() {
      return String.join("\n", lines);
    }
  }

  /**
   * Stops {@code gateway} as an operator would, then checks that the audit chain in {@code data}
   * verifies.
   */
  private static CliRun stopAndVerifyAudit(Gateway gateway, Path data) throws InterruptedException {
    gateway.process.destroy();
    assertThat(gateway.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    CliRun verify = CliRun.of("audit", "verify", "--data", data.toString());
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    return verify;
  }

  private Gateway start(Path config, Path data) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "serve",
            "--config",
            config.toString(),
            "--data",
            data.toString(),
            "--port",
            "0");
    pb.redirectErrorStream(true);
    Process process = pb.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    CountDownLatch ready = new CountDownLatch(1);
    AtomicInteger port = new AtomicInteger();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                  Matcher m = REST.matcher(line);
                  if (m.find()) {
                    port.set(Integer.parseInt(m.group(1)));
                  }
                  if (line.startsWith("Ready.")) {
                    ready.countDown();
                  }
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    Gateway g = new Gateway(process, 0, lines);
    started.add(g);
    boolean up = ready.await(90, TimeUnit.SECONDS);
    assertThat(up).as("gateway started; it printed:\n%s", g.output()).isTrue();
    return new Gateway(process, port.get(), lines);
  }

  private static HttpRequest invoke(Gateway g, String key) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + g.port() + "/v1/tools/payments_send:invoke"))
        .timeout(Duration.ofMinutes(2))
        .header("Authorization", "Bearer " + GatewayFixture.SUPPORT_KEY)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString(PAYMENT))
        .build();
  }

  private JsonNode get(Gateway g, String id) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + g.port() + "/v1/invocations/" + id))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + GatewayFixture.SUPPORT_KEY)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static List<String> auditStates(Path data, String id) throws Exception {
    List<String> states = new ArrayList<>();
    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      new JdbcAuditLog(db, JSON)
          .scan(
              r -> {
                if (r.entry().invocationId().equals(id)) {
                  states.add(r.entry().state());
                }
              });
    }
    return states;
  }
}
