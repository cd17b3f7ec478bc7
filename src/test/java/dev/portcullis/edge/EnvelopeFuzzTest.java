package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Channel;
import dev.portcullis.invocation.Invocation;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST invocation envelope under arbitrary bytes, read as the REST door reads them (UTF-8
 * exactly, the strict edge reader, an object only): parsing returns an envelope within its bounds,
 * from which the door can build its {@link Invocation}, or throws the typed {@link EdgeRejection},
 * never anything else.
 */
class EnvelopeFuzzTest {
  private static final JsonMapper STRICT = EdgeJson.strictMapper();
  private static final AgentRef AGENT = new AgentRef("fuzz-agent", "default", "1");
  private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");

  @FuzzTest
  @DictionaryEntries({
    "\"requestId\"",
    "\"actor\"",
    "\"userId\"",
    "\"channel\"",
    "\"sessionId\"",
    "\"arguments\"",
    "\"policyContext\"",
    "\"declaredChannel\"",
    "\"time\"",
    "\"rest\"",
    "\"mcp\"",
    "\"revert\"",
    "null",
    "true",
    "[]",
    "{}",
    ":",
    ","
  })
  void envelopeIsParsedOrRejectedTyped(byte[] body) {
    if (!RequestBodies.utf8(body)) {
      return; // refused by RequestBodies before any JSON is read
    }
    JsonNode node;
    try {
      node = STRICT.readTree(body);
    } catch (JacksonException e) {
      return; // refused by RequestBodies as malformed
    }
    if (node == null || !node.isObject()) {
      return; // refused by RequestBodies.readObject
    }
    Envelope envelope;
    try {
      envelope = Envelope.parse(node);
    } catch (EdgeRejection rejection) {
      assertThat(rejection.problem().type()).isEqualTo(ProblemType.MALFORMED_REQUEST);
      return;
    }
    assertThat(envelope.arguments().isObject()).isTrue();
    assertThat(envelope.policyContext()).hasSizeLessThanOrEqualTo(17);
    for (String text :
        new String[] {envelope.requestId(), envelope.userId(), envelope.sessionId()}) {
      assertThat(text == null || text.length() <= 256).isTrue();
    }
    envelope
        .policyContext()
        .forEach((k, v) -> assertThat(v).isNotNull().hasSizeLessThanOrEqualTo(256));
    // As RestRoutes builds the call: whatever parsed must make an Invocation.
    Invocation.received(
        "inv-1",
        "trace-1",
        envelope.requestId(),
        null,
        AGENT,
        null,
        envelope.sessionId(),
        Channel.REST.wireName(),
        "crm_get_customer",
        envelope.arguments(),
        envelope.policyContext(),
        NOW);
  }
}
