package dev.portcullis.connector.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlAllowlistTest {
  private final SqlAllowlist allowlist =
      SqlAllowlist.of(
          Map.of("Public.Invoices", List.of("ID", "total"), "open_tickets", List.of("*")));

  @Test
  void comparesNamesCaseInsensitivelyAndWithoutQuotes() {
    assertThat(allowlist.relations()).containsExactlyInAnyOrder("public.invoices", "open_tickets");
    assertThat(allowlist.columns("PUBLIC.INVOICES")).contains(java.util.Set.of("id", "total"));
    assertThat(allowlist.allows("\"public\".\"invoices\"", "`Id`")).isTrue();
    assertThat(allowlist.allows("public.invoices", "TOTAL")).isTrue();
  }

  @Test
  void allowsOnlyListedColumnsOfListedRelations() {
    assertThat(allowlist.allows("public.invoices", "ssn")).isFalse();
    assertThat(allowlist.allows("invoices", "id"))
        .as("another relation than public.invoices")
        .isFalse();
    assertThat(allowlist.columns("secrets")).isEmpty();
    assertThat(allowlist.allows("secrets", "id")).isFalse();
  }

  @Test
  void aStarAllowsEveryColumnAndSelectStar() {
    assertThat(allowlist.allows("open_tickets", "anything")).isTrue();
    assertThat(allowlist.allowsStar("open_tickets")).isTrue();
    assertThat(allowlist.allowsStar("public.invoices")).isFalse();
    assertThat(allowlist.allowsStar("secrets")).isFalse();
  }

  @Test
  void refusesNamesThatAreNotPlainIdentifiers() {
    assertThatThrownBy(() -> SqlAllowlist.of(Map.of("customers; drop", List.of("id"))))
        .hasMessage("relation 'customers; drop' is not a plain SQL identifier");
    assertThatThrownBy(() -> SqlAllowlist.of(Map.of("*", List.of("id"))))
        .hasMessage("relation '*' is not a plain SQL identifier");
    assertThatThrownBy(() -> SqlAllowlist.of(Map.of("customers", List.of("id", "\"ssn\""))))
        .hasMessage("column '\"ssn\"' is not a plain SQL identifier");
    assertThatThrownBy(() -> SqlAllowlist.of(Map.of("a.b.c", List.of("id"))))
        .hasMessage("relation 'a.b.c' is not a plain SQL identifier");
    assertThatThrownBy(() -> SqlAllowlist.of(Map.of("t", List.of("x".repeat(64)))))
        .hasMessage("column '" + "x".repeat(64) + "' is not a plain SQL identifier");
    assertThat(SqlAllowlist.of(Map.of("_t", List.of("x".repeat(63)))).allows("_t", "x".repeat(63)))
        .isTrue();
  }
}
