package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.NodeLeases;
import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.Postgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portcullis nodes}: the nodes a shared store has seen, with their leases and policies. */
class NodesCommandTest {
  @TempDir Path dir;

  @Test
  void listsEveryNodeWithItsLeaseAndThePolicyItRuns() throws Exception {
    PostgresDatabase.Settings settings = Postgres.freshDatabase();
    try (PostgresDatabase live = PostgresDatabase.open(settings);
        PostgresDatabase gone = PostgresDatabase.open(settings)) {
      Instant now = Instant.now();
      new NodeLeases(gone, Duration.ofSeconds(15), () -> "sha256:" + "b".repeat(64))
          .renew(now.minus(Duration.ofMinutes(5)));
      new NodeLeases(live, Duration.ofSeconds(15), () -> "sha256:" + "a".repeat(64)).renew(now);

      CliRun r = CliRun.of("nodes", "--store", settings.url(), "--store-user", settings.user());

      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      assertThat(r.out().lines())
          .as(r.out())
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith(live.node())
                      .contains("live, ")
                      .contains("sha256:aaaaaaaaaaaa"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith(gone.node())
                      .contains("lapsed 4 min ago")
                      .contains("sha256:bbbbbbbbbbbb"));
      assertThat(r.out().lines().findFirst().orElseThrow()).startsWith("NODE").contains("POLICY");
    }
  }

  @Test
  void theEmbeddedStoreSaysItBelongsToOneGateway() {
    EmbeddedDatabase.open(dir).close();

    CliRun r = CliRun.of("nodes", "--data", dir.toString());

    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("embedded store").contains("--store");
  }

  @Test
  void aStoreThatCannotBeReachedExitsTwo() {
    CliRun r = CliRun.of("nodes", "--store", "jdbc:postgresql://127.0.0.1:1/nowhere");

    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(2);
  }
}
