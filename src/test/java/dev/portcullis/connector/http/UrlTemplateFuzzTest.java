package dev.portcullis.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Arbitrary argument values in the HTTP connector's path templates: refused ({@link
 * UrlTemplate#segmentProblem}, which the connector checks before it expands), or rendered to a path
 * with exactly the template's segments, its literal segments unchanged, every variable's segment
 * neither empty nor a dot segment (even once percent-decoded, as servers normalise it), no query or
 * fragment, and each whole-segment variable decodes back to the value it was given.
 */
class UrlTemplateFuzzTest {
  private static final URI BASE = URI.create("https://upstream.example/api");
  private static final List<UrlTemplate> TEMPLATES =
      List.of(
          UrlTemplate.parse("/customers/{customerId}"),
          UrlTemplate.parse("/customers/{customerId}/orders/{orderId}"),
          UrlTemplate.parse("/files/{name}.json"),
          UrlTemplate.parse("/v1/{a}{b}/items"),
          UrlTemplate.parse("/search/{q}"),
          UrlTemplate.parse("/tickets/{id}/comments"));

  @FuzzTest
  @DictionaryEntries({
    ".",
    "..",
    "/",
    "%2e",
    "%2F",
    "?",
    "#",
    "&",
    "=",
    "+",
    " ",
    "\\",
    "%",
    ";",
    "\u0000",
    "\u00e9",
    "\ud83d\ude00",
    "\uffff",
    "%00"
  })
  void argumentsNeverChangeThePathsStructure(byte[] input) {
    // Byte 0 picks the template; the rest, split at NUL, gives the variables their values in order.
    if (input.length < 1) {
      return;
    }
    UrlTemplate template = TEMPLATES.get((input[0] & 0xff) % TEMPLATES.size());
    String[] parts =
        new String(input, 1, input.length - 1, StandardCharsets.UTF_8).split("\u0000", -1);
    List<String> names = variablesInOrder(template.source());
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      values.put(names.get(i), i < parts.length ? parts[i] : "");
    }

    if (names.stream().anyMatch(n -> UrlTemplate.segmentProblem(values.get(n)).isPresent())) {
      return; // the connector refuses such a value and sends nothing
    }
    String path = template.expand(values::get);

    assertThat(path).doesNotContain("?", "#");
    URI uri = URI.create(BASE + path);
    assertThat(uri.getRawQuery()).isNull();
    assertThat(uri.getRawFragment()).isNull();
    assertThat(uri.getRawPath()).isEqualTo(BASE.getRawPath() + path);
    String[] want = template.source().split("/", -1);
    String[] got = path.split("/", -1);
    assertThat(got).as(path).hasSameSizeAs(want);
    for (int i = 0; i < want.length; i++) {
      if (!want[i].contains("{")) {
        assertThat(got[i]).as(path).isEqualTo(want[i]);
        continue;
      }
      String decoded = URLDecoder.decode(got[i].replace("+", "%2B"), StandardCharsets.UTF_8);
      assertThat(decoded)
          .as("segment %d of %s", i, path)
          .isNotEmpty()
          .isNotEqualTo(".")
          .isNotEqualTo("..");
      if (want[i].matches("\\{[A-Za-z_][A-Za-z0-9_]*}")) {
        assertThat(decoded)
            .as(path)
            .isEqualTo(values.get(want[i].substring(1, want[i].length() - 1)));
      }
    }
  }

  private static List<String> variablesInOrder(String source) {
    return java.util.regex.Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}")
        .matcher(source)
        .results()
        .map(m -> m.group(1))
        .toList();
  }
}
