package dev.portcullis.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Transition;
import dev.portcullis.store.Dialect;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.GroupCommit;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretSources;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.json.JsonMapper;

/**
 * Single-threaded timings of the pieces the stage breakdown points at: one fsync on this disk, one
 * audit append at each {@code synchronous} setting, one read of the connector's secret file. Each
 * runs for a fixed time or a fixed count, whichever ends first, after a short warmup.
 */
final class Probes {
  private static final int MAX_OPS = 50_000;

  /** One probe's result; {@code nanos} holds one value per operation. */
  record Probe(String name, Histogram nanos) {}

  @FunctionalInterface
  private interface Op {
    void run() throws Exception;
  }

  private final Duration each;
  private final Progress progress;

  Probes(Duration each, Progress progress) {
    this.each = each;
    this.progress = progress;
  }

  List<Probe> run(Path dir, Path gatewayData, String configHash) throws Exception {
    List<Probe> probes = new ArrayList<>();
    ByteBuffer block = ByteBuffer.allocate(512);
    try (FileChannel file =
        FileChannel.open(
            dir.resolve("fsync-probe.bin"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      probes.add(
          time(
              "fsync: append 512 B + FileChannel.force",
              () -> {
                block.clear();
                file.write(block);
                file.force(false);
              }));
    }
    JsonMapper json = JsonMapper.builder().build();
    try (EmbeddedDatabase full = EmbeddedDatabase.open(dir.resolve("probe-full"))) {
      probes.add(
          append(
              "audit append, synchronous=FULL (production)",
              new JdbcLedger(full, json),
              configHash));
    }
    for (String mode : List.of("NORMAL", "OFF")) {
      try (HikariDataSource ds =
          AuditStores.open(dir.resolve("probe-" + mode.toLowerCase(java.util.Locale.ROOT)), mode)) {
        probes.add(
            append(
                "audit append, synchronous=" + mode,
                new JdbcLedger(new GroupCommit(ds), Dialect.SQLITE, json),
                configHash));
      }
    }
    SecretSources secrets = new SecretSources(Map.of(), gatewayData);
    SecretRef token = SecretRef.parse("file:secrets/acme-api-token");
    probes.add(
        time(
            "secret file read (SecretSources, once per connector call)",
            () -> secrets.resolve(token, "acme")));
    return probes;
  }

  private Probe append(String name, Ledger ledger, String configHash) throws Exception {
    return time(name, () -> ledger.write(Transition.note(AuditStores.sampleEntry(configHash))));
  }

  private Probe time(String name, Op op) throws Exception {
    progress.say("probe: %s", name);
    long warmupEnd =
        System.nanoTime() + Math.min(each.toNanos() / 4, Duration.ofMillis(500).toNanos());
    for (int i = 0; i < MAX_OPS && System.nanoTime() < warmupEnd; i++) {
      op.run();
    }
    Histogram h = new Histogram(3);
    long end = System.nanoTime() + each.toNanos();
    for (int i = 0; i < MAX_OPS; i++) {
      long t0 = System.nanoTime();
      if (t0 >= end) {
        break;
      }
      op.run();
      h.recordValue(System.nanoTime() - t0);
    }
    return new Probe(name, h);
  }
}
