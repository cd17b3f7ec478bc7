package dev.portcullis.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Where the scenario benchmark's three parties run: the load generator (this JVM), the gateway and
 * the upstream (Acme). {@link ProcessTopology} puts each in its own process; {@link InJvmTopology}
 * runs all three in this JVM, as the first gateway benchmark did.
 */
interface Topology extends AutoCloseable {
  Workload.Endpoints endpoints();

  /** The gateway's data directory: its database, and the place of the fsync probe. */
  Path gatewayData();

  /** One line on what runs where, for the report. */
  String describe();

  /** CPU time used so far by each party; -1 where a party has no process of its own. */
  Cpu cpu();

  /**
   * Called after each load phase (the in-JVM Acme keeps a request log that would otherwise grow).
   */
  default void afterPhase() {}

  @Override
  void close();

  /**
   * CPU time in nanoseconds of the gateway (all its nodes), the upstream and the load generator; -1
   * when not separate. On a PostgreSQL store also the database server's CPU time and the
   * transactions it committed that wrote (its next transaction id); -1 on the embedded store, whose
   * cost is the gateway's own.
   */
  record Cpu(
      long gatewayNanos,
      long upstreamNanos,
      long generatorNanos,
      long databaseNanos,
      long databaseCommits) {
    Cpu(long gatewayNanos, long upstreamNanos, long generatorNanos) {
      this(gatewayNanos, upstreamNanos, generatorNanos, -1, -1);
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(
          diff(gatewayNanos, earlier.gatewayNanos),
          diff(upstreamNanos, earlier.upstreamNanos),
          diff(generatorNanos, earlier.generatorNanos),
          diff(databaseNanos, earlier.databaseNanos),
          diff(databaseCommits, earlier.databaseCommits));
    }

    private static long diff(long now, long before) {
      return now < 0 || before < 0 ? -1 : now - before;
    }

    static long self() {
      return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
          .getProcessCpuTime();
    }
  }
}
