package dev.portcullis.invocation;

import java.util.List;
import java.util.Objects;

/**
 * What the filter stage took out of a result: the JSON Pointers of dropped members and elements,
 * and where it redacted what kind of value. Security: paths and kinds only, never a value.
 */
public record FilterReport(List<String> dropped, List<Redaction> redacted) {
  public static final FilterReport NONE = new FilterReport(List.of(), List.of());

  public FilterReport {
    dropped = List.copyOf(dropped);
    redacted = List.copyOf(redacted);
  }

  public boolean isEmpty() {
    return dropped.isEmpty() && redacted.isEmpty();
  }

  /** One redaction: a string at {@code path} held at least one value of {@code kind}. */
  public record Redaction(String path, String kind) {
    public Redaction {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(kind, "kind");
    }
  }
}
