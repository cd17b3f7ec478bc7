package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies reload without a restart, atomically, and never half-way. */
class PolicyReloadTest {
  private static final String READ = "{\"arguments\":{\"customerId\":\"C-1001\"}}";
  private static final String FORBID_READS =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: PolicySet
      rules:
        - id: reads-frozen
          description: Reads are frozen.
          effect: forbid
          target: {tools: [crm_get_customer]}
      """;

  @TempDir Path dir;
  private GatewayFixture gateway;
  private Path extra;

  @BeforeEach
  void start() throws IOException {
    Path config = dir.resolve("portcullis.yaml");
    Files.copy(Path.of("examples/demo/portcullis.yaml"), config);
    Files.createDirectories(dir.resolve("policies"));
    for (String f : List.of("support.yaml", "billing.yaml")) {
      Files.copy(Path.of("examples/demo/policies", f), dir.resolve("policies").resolve(f));
    }
    extra = dir.resolve("policies/freeze.yaml");
    gateway = GatewayFixture.start(dir.resolve("data"), config, Map.of());
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private PolicyReloader reloader() {
    return gateway.assembly().policyReloader();
  }

  private int read() {
    return gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ).statusCode();
  }

  @Test
  void aChangedPolicyTakesEffectWithoutARestart() throws IOException {
    assertThat(reloader().reloadIfChanged()).isEqualTo(PolicyReloader.Result.UNCHANGED);
    assertThat(read()).isEqualTo(200);

    Files.writeString(extra, FORBID_READS, StandardCharsets.UTF_8);

    assertThat(reloader().reloadIfChanged()).isEqualTo(PolicyReloader.Result.RELOADED);
    HttpResponse<String> frozen =
        gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ);
    assertThat(frozen.statusCode()).isEqualTo(403);
    assertThat(frozen.body()).contains("reads-frozen");
  }

  @Test
  void aPolicyThatDoesNotLoadLeavesTheOneInForce() throws IOException {
    Files.writeString(
        extra, FORBID_READS.replace("crm_get_customer", "no_such_tool"), StandardCharsets.UTF_8);

    assertThat(reloader().reloadIfChanged()).isEqualTo(PolicyReloader.Result.REJECTED);
    assertThat(read()).isEqualTo(200);
    assertThat(reloader().reloadIfChanged())
        .as("not retried until the files change")
        .isEqualTo(PolicyReloader.Result.UNCHANGED);
  }

  @Test
  void reloadsUnderASteadyStreamOfCallsDropNoneAndNeverMixVersions() throws Exception {
    int clients = 6;
    int callsEach = 60;
    AtomicBoolean done = new AtomicBoolean();
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> calls = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        calls.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < callsEach; i++) {
                    statuses.merge(read(), 1, Integer::sum);
                  }
                }));
      }
      Future<?> flipper =
          pool.submit(
              () -> {
                boolean frozen = false;
                while (!done.get()) {
                  try {
                    if (frozen) {
                      Files.deleteIfExists(extra);
                    } else {
                      Files.writeString(extra, FORBID_READS, StandardCharsets.UTF_8);
                    }
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                  frozen = !frozen;
                  assertThat(reloader().reloadIfChanged())
                      .isEqualTo(PolicyReloader.Result.RELOADED);
                }
                return null;
              });
      for (Future<?> f : calls) {
        f.get();
      }
      done.set(true);
      flipper.get();
    }

    assertThat(statuses.keySet()).isSubsetOf(200, 403);
    assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(clients * callsEach);
    List<AuditRecord> records = new ArrayList<>();
    gateway.assembly().auditLog().scan(records::add);
    Map<String, Set<String>> effectsByVersion = new HashMap<>();
    records.stream()
        .filter(r -> r.entry().decision() != null && !r.entry().state().equals("EXECUTING"))
        .forEach(
            r ->
                effectsByVersion
                    .computeIfAbsent(r.entry().policyVersion(), v -> new HashSet<>())
                    .add(r.entry().decision()));
    assertThat(effectsByVersion)
        .as("every version decided one way only")
        .allSatisfy((version, effects) -> assertThat(effects).hasSize(1));
    assertThat(effectsByVersion.values())
        .as("both versions were in force during the run")
        .anySatisfy(e -> assertThat(e).containsExactly("allow"))
        .anySatisfy(e -> assertThat(e).containsExactly("deny"));
  }
}
