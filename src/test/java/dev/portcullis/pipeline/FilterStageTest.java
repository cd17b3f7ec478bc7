package dev.portcullis.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.RedactionKind;
import dev.portcullis.catalog.ResultFilter;
import dev.portcullis.catalog.RiskClass;
import dev.portcullis.catalog.ToolDefinition;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.FilterReport;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.testing.Invocations;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FilterStageTest {
  private static Catalog catalog(ResultFilter filter) {
    ToolDefinition tool =
        new ToolDefinition(
            "crm_get_customer",
            null,
            "d",
            "1",
            RiskClass.READ,
            "acme",
            Invocations.JSON.createObjectNode(),
            false,
            "sha256:0");
    CatalogEntry entry = new CatalogEntry(tool, args -> List.of(), filter);
    return new Catalog() {
      @Override
      public Optional<CatalogEntry> find(String toolName) {
        return toolName.equals(tool.name()) ? Optional.of(entry) : Optional.empty();
      }

      @Override
      public List<CatalogEntry> entries() {
        return List.of(entry);
      }
    };
  }

  private static Outcome run(Catalog catalog, Stage last) {
    Invocation inv = Invocations.call("support", "crm_get_customer", "{\"customerId\":\"C-1001\"}");
    return new Pipeline(List.of(new FilterStage(catalog), last)).run(inv);
  }

  @Test
  void filtersACompletedResultAndReportsWhatItTookOut() {
    ResultFilter filter =
        ResultFilter.compile(List.of("/name", "/email"), EnumSet.of(RedactionKind.EMAIL));
    Outcome o =
        run(
            catalog(filter),
            (inv, chain) ->
                new Outcome.Completed(
                    inv,
                    Invocations.JSON.readTree(
                        "{\"name\":\"Maria\",\"email\":\"m@example.com\",\"tier\":\"gold\"}")));

    Outcome.Completed c = (Outcome.Completed) o;
    assertThat(c.result().toString())
        .isEqualTo("{\"name\":\"Maria\",\"email\":\"[redacted:email]\"}");
    assertThat(c.filtered())
        .isEqualTo(
            new FilterReport(
                List.of("/tier"), List.of(new FilterReport.Redaction("/email", "email"))));
  }

  @Test
  void redactsPersonalDataInAFailedCallsDetail() {
    Outcome failed =
        run(
            catalog(ResultFilter.DEFAULT),
            (inv, chain) ->
                new Outcome.Failed(
                    inv,
                    FailureKind.UPSTREAM_REJECTED,
                    "upstream acme answered 400: a@b.io paid with 4111-1111-1111-1111"));

    assertThat(failed).isInstanceOf(Outcome.Failed.class);
    assertThat(((Outcome.Failed) failed).detail())
        .isEqualTo("upstream acme answered 400: [redacted:email] paid with [redacted:card]");
  }

  @Test
  void passesDenialsThroughUnchanged() {
    Outcome denied =
        run(
            catalog(ResultFilter.DEFAULT),
            (inv, chain) ->
                new Outcome.Denied(
                    inv,
                    dev.portcullis.invocation.DenialKind.POLICY,
                    "denied for a@b.io",
                    List.of("r")));

    assertThat(((Outcome.Denied) denied).message()).isEqualTo("denied for a@b.io");
  }
}
