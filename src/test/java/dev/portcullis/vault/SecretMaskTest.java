package dev.portcullis.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.SecretForms;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The credential echo guard: every copy of a live secret an upstream can send back is masked. */
class SecretMaskTest {
  private static final SecretRef REF = SecretRef.parse("vault:crm-credential");
  private static final String CURRENT = "Zq7~current?credential>4b1e9d0c";
  private static final String OLDER = "Yx3~older?credential>0a1b2c3d!";

  @Test
  void masksEveryEncodingAndCaseOfTheSecret() {
    Secret s = new Secret(REF, CURRENT, 3);
    for (String form : SecretForms.of(CURRENT)) {
      String masked = s.maskIn("{\"echo\":\"before " + form + " after\"}");

      SecretForms.assertNoCopyIn(masked, CURRENT);
      assertThat(masked)
          .contains("[REDACTED]")
          .startsWith("{\"echo\":\"before ")
          .endsWith(" after\"}");
    }
  }

  @Test
  void masksEveryLiveVersionNotOnlyTheOneInUse() {
    Secret s = new Secret(REF, CURRENT, 3, List.of(OLDER));
    String text =
        String.join(" | ", SecretForms.of(OLDER))
            + " / "
            + String.join(" | ", SecretForms.of(CURRENT));

    String masked = s.maskIn(text);

    SecretForms.assertNoCopyIn(masked, OLDER);
    SecretForms.assertNoCopyIn(masked, CURRENT);
    assertThat(s.toString()).doesNotContain(OLDER).doesNotContain(CURRENT);
  }

  @Test
  void leavesTextWithoutTheSecretAlone() {
    String text = "{\"id\":\"c-01\",\"note\":\"Zq7 current credential, %41 \\u0041 d2l0aG91dA==\"}";

    assertThat(new Secret(REF, CURRENT, 3).maskIn(text)).isEqualTo(text);
  }
}
