package dev.portcullis.catalog;

import dev.portcullis.invocation.FilterReport;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tool's compiled result filter: a field allowlist of JSON Pointers (a {@code *} segment matches
 * any array element or object member) and the kinds of personal data to redact in string values and
 * member names (and, through {@link #redactText}, in an upstream's error text). Compiled at load;
 * {@link #apply} only walks the tree, and never changes its input.
 *
 * <p>Security: the report it returns names paths and kinds, never a value. Without a {@code fields}
 * list every field is kept; without a {@code redact} list every kind is redacted ({@link
 * #DEFAULT}).
 */
public final class ResultFilter {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What a tool gets when its configuration says nothing: keep all fields, redact every kind. */
  public static final ResultFilter DEFAULT =
      new ResultFilter(null, List.of(), EnumSet.allOf(RedactionKind.class));

  /** The result filtered, and what was taken out. */
  public record Filtered(JsonNode result, FilterReport report) {}

  private final Trie allow;
  private final List<String> fields;
  private final Set<RedactionKind> redact;

  private ResultFilter(Trie allow, List<String> fields, Set<RedactionKind> redact) {
    this.allow = allow;
    this.fields = fields;
    this.redact = redact.isEmpty() ? Set.of() : EnumSet.copyOf(redact);
  }

  /**
   * Compiles a filter. {@code fields} null keeps every field; each pointer is {@code ""} or starts
   * with {@code /}.
   *
   * @throws IllegalArgumentException naming the first pointer that is not one
   */
  public static ResultFilter compile(List<String> fields, Set<RedactionKind> redact) {
    if (fields == null || fields.contains("")) {
      return new ResultFilter(null, fields == null ? List.of() : List.copyOf(fields), redact);
    }
    Trie root = new Trie();
    for (String pointer : fields) {
      if (!pointer.startsWith("/")) {
        throw new IllegalArgumentException(
            "'" + pointer + "' is not a JSON Pointer (it must start with '/')");
      }
      Trie at = root;
      for (String raw : pointer.substring(1).split("/", -1)) {
        String token = unescape(pointer, raw);
        at = token.equals("*") ? at.star() : at.child(token);
      }
      at.terminal = true;
    }
    return new ResultFilter(root, List.copyOf(fields), redact);
  }

  /** The pointers kept, as configured (empty when every field is kept). */
  public List<String> fields() {
    return fields;
  }

  public boolean keepsAllFields() {
    return allow == null;
  }

  /** The kinds redacted, in their fixed order of application. */
  public Set<RedactionKind> redact() {
    return redact;
  }

  public Filtered apply(JsonNode result) {
    if (allow == null && redact.isEmpty()) {
      return new Filtered(result, FilterReport.NONE);
    }
    List<String> dropped = new ArrayList<>();
    Set<FilterReport.Redaction> redacted = new LinkedHashSet<>();
    JsonNode out;
    if (allow == null) {
      out = redacted(result, "", redacted);
    } else {
      out = kept(result, List.of(allow), "", dropped, redacted);
      if (out == null) {
        dropped.add("");
        out = NODES.nullNode();
      }
    }
    return new Filtered(out, new FilterReport(dropped, List.copyOf(redacted)));
  }

  /** The allowed part of {@code value}, or null when none of it is allowed. */
  private JsonNode kept(
      JsonNode value,
      List<Trie> at,
      String path,
      List<String> dropped,
      Set<FilterReport.Redaction> redacted) {
    if (value.isObject()) {
      ObjectNode out = NODES.objectNode();
      for (Map.Entry<String, JsonNode> e : value.properties()) {
        String key = key(out, e.getKey(), path, redacted);
        JsonNode child =
            member(e.getValue(), step(at, e.getKey()), path + "/" + escape(key), dropped, redacted);
        if (child != null) {
          out.set(key, child);
        }
      }
      return out;
    }
    if (value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      for (int i = 0; i < value.size(); i++) {
        JsonNode child =
            member(value.get(i), step(at, Integer.toString(i)), path + "/" + i, dropped, redacted);
        if (child != null) {
          out.add(child);
        }
      }
      return out;
    }
    return null; // a pointer goes deeper than this scalar: nothing of it is allowed
  }

  private JsonNode member(
      JsonNode value,
      List<Trie> next,
      String path,
      List<String> dropped,
      Set<FilterReport.Redaction> redacted) {
    if (next.isEmpty()) {
      dropped.add(path);
      return null;
    }
    for (Trie t : next) {
      if (t.terminal) {
        return redacted(value, path, redacted);
      }
    }
    // A member a pointer only passes through stays only if something under it stays: left behind
    // as an empty {} or [], its name (which a * matched) would still say what was there.
    JsonNode kept = kept(value, next, path, dropped, redacted);
    if (kept == null || kept.isEmpty()) {
      dropped.add(path);
      return null;
    }
    return kept;
  }

  private static List<Trie> step(List<Trie> at, String token) {
    List<Trie> next = new ArrayList<>(2);
    for (Trie t : at) {
      Trie named = t.children.get(token);
      if (named != null) {
        next.add(named);
      }
      if (t.star != null) {
        next.add(t.star);
      }
    }
    return next;
  }

  private JsonNode redacted(JsonNode value, String path, Set<FilterReport.Redaction> redacted) {
    if (redact.isEmpty()) {
      return value;
    }
    if (value.isString()) {
      return NODES.stringNode(redactedText(value.asString(), path, redacted));
    }
    if (value.isIntegralNumber() && redact.contains(RedactionKind.CARD)) {
      String digits = value.asString();
      if (digits.length() >= 13 && digits.length() <= 19 && PiiPatterns.luhn(digits)) {
        redacted.add(new FilterReport.Redaction(path, RedactionKind.CARD.wireName()));
        return NODES.stringNode(RedactionKind.CARD.marker());
      }
      return value;
    }
    if (value.isObject()) {
      ObjectNode out = NODES.objectNode();
      for (Map.Entry<String, JsonNode> e : value.properties()) {
        String key = key(out, e.getKey(), path, redacted);
        out.set(key, redacted(e.getValue(), path + "/" + escape(key), redacted));
      }
      return out;
    }
    if (value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      for (int i = 0; i < value.size(); i++) {
        out.add(redacted(value.get(i), path + "/" + i, redacted));
      }
      return out;
    }
    return value;
  }

  /**
   * {@code text} with the personal data of this filter's kinds replaced by markers: for text that
   * reaches the agent or the audit log outside a result, such as an upstream's error message. The
   * field allowlist does not apply to free text.
   */
  public String redactText(String text) {
    return redactedText(text, "", new LinkedHashSet<>());
  }

  private String redactedText(String text, String path, Set<FilterReport.Redaction> redacted) {
    for (RedactionKind kind : redact) {
      String next = PiiPatterns.redact(text, kind);
      if (!next.equals(text)) {
        redacted.add(new FilterReport.Redaction(path, kind.wireName()));
        text = next;
      }
    }
    return text;
  }

  /**
   * The member name {@code name} as it may be shown: redacted like a string value (an e-mail
   * address used as a key is personal data too), reported at its redacted path, and made unique in
   * {@code out} when a name already there is the same ({@code [redacted:email]~2}): two names that
   * redact to one marker, or a name that is a marker's text, which would otherwise replace the
   * member redacted before it.
   */
  private String key(
      ObjectNode out, String name, String path, Set<FilterReport.Redaction> redacted) {
    if (redact.isEmpty()) {
      return name;
    }
    Set<FilterReport.Redaction> found = new LinkedHashSet<>();
    String key = redactedText(name, "", found);
    String unique = key;
    for (int n = 2; out.has(unique); n++) {
      unique = key + "~" + n;
    }
    for (FilterReport.Redaction r : found) {
      redacted.add(new FilterReport.Redaction(path + "/" + escape(unique), r.kind()));
    }
    return unique;
  }

  private static String escape(String name) {
    return name.indexOf('~') < 0 && name.indexOf('/') < 0
        ? name
        : name.replace("~", "~0").replace("/", "~1");
  }

  private static String unescape(String pointer, String token) {
    StringBuilder out = new StringBuilder(token.length());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c != '~') {
        out.append(c);
      } else if (i + 1 < token.length()
          && (token.charAt(i + 1) == '0' || token.charAt(i + 1) == '1')) {
        out.append(token.charAt(++i) == '0' ? '~' : '/');
      } else {
        throw new IllegalArgumentException("'" + pointer + "' has a '~' that is not '~0' or '~1'");
      }
    }
    return out.toString();
  }

  /**
   * One level of the allowlist: named members, the {@code *} member, and whether a pointer ends
   * here.
   */
  private static final class Trie {
    final Map<String, Trie> children = new HashMap<>();
    Trie star;
    boolean terminal;

    Trie child(String token) {
      return children.computeIfAbsent(token, k -> new Trie());
    }

    Trie star() {
      if (star == null) {
        star = new Trie();
      }
      return star;
    }
  }
}
