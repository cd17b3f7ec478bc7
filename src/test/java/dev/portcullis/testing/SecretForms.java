package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The copies of a secret a hostile upstream can send back for the credential echo guard to catch,
 * written here independently of the guard: raw, case-changed, JSON-escaped, URL-encoded, base64
 * (standard and URL-safe, with and without padding, and inside a longer encoded value).
 */
public final class SecretForms {
  private SecretForms() {}

  public static List<String> of(String s) {
    return List.of(
        s,
        s.toUpperCase(Locale.ROOT),
        s.toLowerCase(Locale.ROOT),
        jsonEscaped(s),
        s.replace("~", "\\u007E"),
        percentEncoded(s),
        URLEncoder.encode(s, StandardCharsets.UTF_8),
        base64(Base64.getEncoder(), s),
        base64(Base64.getEncoder().withoutPadding(), s),
        base64(Base64.getUrlEncoder(), s),
        base64(Base64.getUrlEncoder().withoutPadding(), s),
        base64(Base64.getEncoder(), "crm:" + s),
        base64(Base64.getUrlEncoder(), "x" + s + "y"));
  }

  /**
   * {@code text} holds no form of {@code secret}, not even the middle of one, also once JSON text
   * quoted inside it is unquoted (doubled backslashes collapsed).
   */
  public static void assertNoCopyIn(String text, String secret) {
    String unquoted = text;
    for (String once = text.replace("\\\\", "\\");
        !once.equals(unquoted);
        once = once.replace("\\\\", "\\")) {
      unquoted = once;
    }
    for (String form : of(secret)) {
      assertThat(text + "\n" + unquoted)
          .as(
              "a copy of the secret (%s) is masked",
              form.length() > 8 ? form.substring(0, 3) + "…" : "short")
          .doesNotContain(form)
          .doesNotContain(form.substring(4, form.length() - 4));
    }
  }

  private static String base64(Base64.Encoder e, String s) {
    return e.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String jsonEscaped(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(String.format(Locale.ROOT, "\\u%04x", c)));
    return b.toString();
  }

  private static String percentEncoded(String s) {
    StringBuilder b = new StringBuilder();
    for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
      b.append(String.format(Locale.ROOT, "%%%02X", c));
    }
    return b.toString();
  }
}
