package dev.portcullis.edge;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON reader for untrusted input at the edges.
 *
 * <p>Security: duplicate keys are refused (two parsers reading {@code {"amount":1,"amount":1000}}
 * differently is a classic bypass), nesting is bounded, and trailing content is an error.
 */
public final class EdgeJson {
  /** Deeper input is refused as malformed; the tool's own limit (lower) is checked later. */
  public static final int MAX_NESTING = 64;

  private EdgeJson() {}

  public static JsonMapper strictMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }
}
