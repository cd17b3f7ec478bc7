package dev.portcullis.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.FilterReport;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.testing.Invocations;
import java.time.Clock;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AuditEntriesTest {
  private final AuditEntries entries =
      new AuditEntries(Clock.systemUTC(), "cfg", new StaticCatalog(List.of()), Invocations.JSON);

  @Test
  void aLargeFilterReportIsListedUpToTheCapWithItsTotals() {
    List<String> dropped =
        IntStream.range(0, 500).mapToObj(i -> "/items/" + i + "/secret").toList();
    List<FilterReport.Redaction> redacted =
        IntStream.range(0, 150)
            .mapToObj(i -> new FilterReport.Redaction("/items/" + i + "/email", "email"))
            .toList();
    Outcome.Completed done =
        new Outcome.Completed(
            Invocations.call("bot", "tool", "{}"),
            Invocations.JSON.createObjectNode(),
            new FilterReport(dropped, redacted));

    AuditEntry entry = entries.terminal(done);

    var report = Invocations.JSON.readTree(entry.filtered());
    assertThat(report.path("dropped")).hasSize(AuditEntries.MAX_LISTED);
    assertThat(report.path("droppedTotal").asInt()).isEqualTo(500);
    assertThat(report.path("redacted")).hasSize(AuditEntries.MAX_LISTED);
    assertThat(report.path("redactedTotal").asInt()).isEqualTo(150);
  }

  @Test
  void aSmallFilterReportIsListedWhole() {
    Outcome.Completed done =
        new Outcome.Completed(
            Invocations.call("bot", "tool", "{}"),
            Invocations.JSON.createObjectNode(),
            new FilterReport(List.of("/a"), List.of()));

    assertThat(entries.terminal(done).filtered())
        .isEqualTo("{\"dropped\":[\"/a\"],\"redacted\":[]}");
  }
}
