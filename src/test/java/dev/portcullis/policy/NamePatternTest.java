package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A name pattern means the regex its glob compiles to; matching without the regex must agree. */
class NamePatternTest {
  private static final String ALPHABET = "ab_-.\\EQ*\n\r\u2028";

  @Test
  void matchesLiteralsAndGlobs() {
    assertThat(NamePattern.compile("crm_get").matches("crm_get")).isTrue();
    assertThat(NamePattern.compile("crm_get").matches("crm_get2")).isFalse();
    assertThat(NamePattern.compile("crm_*").matches("crm_get")).isTrue();
    assertThat(NamePattern.compile("crm_*").matches("crm_")).isTrue();
    assertThat(NamePattern.compile("crm_*").matches("crmx")).isFalse();
    assertThat(NamePattern.compile("*_get_*").matches("orders_get_refund")).isTrue();
    assertThat(NamePattern.compile("a*a").matches("a")).isFalse();
    assertThat(NamePattern.compile("a*b*a").matches("aba")).isTrue();
    assertThat(NamePattern.compile("a*b*b*a").matches("abba")).isTrue();
    assertThat(NamePattern.compile("a*b*b*a").matches("aba")).isFalse();
  }

  @Test
  void aStarDoesNotMatchALineTerminatorAsTheRegexDoesNot() {
    assertThat(NamePattern.compile("crm_*").matches("crm_\nget")).isFalse();
    assertThat(NamePattern.compile("crm_\n*").matches("crm_\nget")).isTrue();
  }

  @Test
  void agreesWithTheRegexOnRandomGlobsAndNames() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      String glob = random(random, 1 + random.nextInt(6));
      if (glob.isBlank()) {
        continue;
      }
      NamePattern pattern = NamePattern.compile(glob);
      Pattern regex = regex(glob);
      for (int j = 0; j < 20; j++) {
        String name = random(random, random.nextInt(9)).replace("*", "");
        assertThat(pattern.matches(name))
            .as("glob %s, name %s", glob, name)
            .isEqualTo(regex.matcher(name).matches());
      }
    }
  }

  private static Pattern regex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (String part : glob.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }

  private static String random(Random random, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  @Test
  void anEmptyPatternIsRefused() {
    assertThatThrownBy(() -> NamePattern.compile(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a tool pattern cannot be empty");
  }

  @Test
  void aStarMatchesNoneOfTheLineTerminators() {
    for (String terminator : List.of("\n", "\r", "\u0085", "\u2028", "\u2029")) {
      assertThat(NamePattern.compile("crm_*").matches("crm_" + terminator + "get"))
          .as("U+%04X", (int) terminator.charAt(0))
          .isFalse();
    }
    assertThat(NamePattern.compile("crm_*").matches("crm_\u00e9get")).isTrue();
  }

  @Test
  void aPatternKnowsItsSourceAndWhetherItIsAGlob() {
    assertThat(NamePattern.compile("crm_*").isGlob()).isTrue();
    assertThat(NamePattern.compile("crm_get").isGlob()).isFalse();
    assertThat(NamePattern.compile("crm_*").source()).isEqualTo("crm_*");
    assertThat(NamePattern.compile("crm_*")).hasToString("crm_*");
  }
}
