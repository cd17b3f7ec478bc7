package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How a PostgreSQL store is named in messages, and what its settings refuse. */
class PostgresDatabaseTest {
  @Test
  void aPasswordInTheUrlNeverReachesAMessage() {
    assertThat(
            PostgresDatabase.redacted(
                "jdbc:postgresql://db/p?user=gw&password=hunter2&sslpassword=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/p?user=gw&password=…&sslpassword=…&ssl=true")
        .doesNotContain("hunter2")
        .doesNotContain("s3cret");
  }

  @Test
  void settingsForAnotherDatabaseAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(
            () ->
                new PostgresDatabase.Settings("jdbc:mysql://db/p?password=hunter2", "gw", null, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql://")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void theSettingsNeverPrintThePassword() {
    assertThat(new PostgresDatabase.Settings("jdbc:postgresql://db/p", "gw", "hunter2", 4))
        .asString()
        .doesNotContain("hunter2");
  }

  @Test
  void aServerThatDoesNotAnswerFailsTheOpenWithWhatToCheck() {
    assertThatThrownBy(
            () ->
                PostgresDatabase.open(
                    new PostgresDatabase.Settings(
                        "jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=2",
                        "gw",
                        "hunter2",
                        1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "cannot connect to the PostgreSQL store at jdbc:postgresql://127.0.0.1:1/nowhere")
        .hasMessageContaining("check the url, user and password")
        .hasMessageNotContaining("hunter2");
  }
}
