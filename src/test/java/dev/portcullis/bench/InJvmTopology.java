package dev.portcullis.bench;

import dev.portcullis.testing.GatewayFixture;
import java.nio.file.Path;

/**
 * The load generator, the gateway and Acme in this one JVM ({@code BENCH_MODE=in-jvm}), started by
 * the tests' {@link GatewayFixture} with the demo configuration. CPU can only be told for the JVM
 * as a whole; the report shows it in the load generator's column.
 */
final class InJvmTopology implements Topology {
  private final GatewayFixture fixture;

  InJvmTopology(Path work, Path config) {
    this.fixture = GatewayFixture.start(work.resolve("gateway"), config, java.util.Map.of());
  }

  @Override
  public Workload.Endpoints endpoints() {
    return new Workload.Endpoints(
        fixture.acme().baseUri(),
        java.util.List.of(fixture.baseUri()),
        GatewayFixture.ACME_TOKEN,
        GatewayFixture.SUPPORT_KEY);
  }

  @Override
  public Path gatewayData() {
    return fixture.dataDir();
  }

  @Override
  public String describe() {
    return "in-jvm: load generator, gateway and Acme share this one JVM (pid "
        + ProcessHandle.current().pid()
        + ")";
  }

  @Override
  public Cpu cpu() {
    return new Cpu(-1, -1, Cpu.self());
  }

  @Override
  public void afterPhase() {
    fixture.acme().clearRequestLog();
  }

  @Override
  public void close() {
    fixture.close();
  }
}
