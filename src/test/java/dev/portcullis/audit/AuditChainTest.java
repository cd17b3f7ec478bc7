package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.AuditEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known answers for the hash chain. The hashes below were computed once from these fixed records
 * (and checked against SHA-256 of the same fields written by hand as compact JSON in the documented
 * order) and written in: a field left out of the canonical form, renamed or moved changes them. If
 * one of them changes, every stored chain stops verifying: that needs a migration, not a new
 * constant.
 */
class AuditChainTest {
  /** Every field set, the later optional ones included. */
  private static final String FULL_HASH =
      "ee74764a0180f1a3b27df5a0990b15999a0bc45eea166441fff4767ccf873777";

  /** Only the required fields and the first release's fields; the later ones absent. */
  private static final String MINIMAL_HASH =
      "55fd1b2e91ee20785744e7de87d90eb384d0c21285f4ce77708e4e5ce8fb5646";

  private static final String PREV = "ab".repeat(32);

  /** A record to vary one field at a time. */
  static final class Fields {
    Instant recordedAt = Instant.parse("2026-11-23T10:00:00.123Z");
    String invocationId = "inv-1";
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    String requestId = "req-1";
    String tenant = "acme";
    String agentId = "agent-a";
    String userId = "user-7";
    String sessionId = "sess-1";
    String channel = "rest";
    String toolName = "refund";
    String toolVersion = "2";
    String descriptorHash = "sha256:desc";
    String arguments = "{\"amount\":5}";
    String argumentsDigest = "sha256:args";
    String state = "COMPLETED";
    String decision = "allow";
    List<String> reasons = List.of("permit-refunds", "small");
    String errorKind = "upstream";
    String errorDetail = "timed out";
    Long durationMs = 12L;
    String configHash = "sha256:cfg";
    String policyVersion = "sha256:policy";
    String shadows = "[{\"rule\":\"s\",\"wouldBe\":\"deny\"}]";
    String user = "{\"id\":\"user-7\",\"verified\":true}";
    String context = "{\"channel\":\"rest\"}";
    String filtered = "{\"dropped\":[\"/secret\"]}";
    String credential = "{\"ref\":\"vault:token\",\"version\":2}";

    AuditEntry entry() {
      return AuditEntry.builder(recordedAt, invocationId, traceId, state, configHash)
          .requestId(requestId)
          .tenant(tenant)
          .agentId(agentId)
          .userId(userId)
          .sessionId(sessionId)
          .channel(channel)
          .toolName(toolName)
          .toolVersion(toolVersion)
          .descriptorHash(descriptorHash)
          .arguments(arguments)
          .argumentsDigest(argumentsDigest)
          .decision(decision)
          .reasons(reasons)
          .errorKind(errorKind)
          .errorDetail(errorDetail)
          .durationMs(durationMs)
          .policyVersion(policyVersion)
          .shadows(shadows)
          .user(user)
          .context(context)
          .filtered(filtered)
          .credential(credential)
          .build();
    }

    static AuditEntry with(Consumer<Fields> change) {
      Fields f = new Fields();
      change.accept(f);
      return f.entry();
    }

    static AuditEntry minimal() {
      return with(
          f -> {
            f.requestId = null;
            f.userId = null;
            f.errorKind = null;
            f.errorDetail = null;
            f.durationMs = null;
            f.reasons = List.of();
            f.policyVersion = null;
            f.shadows = null;
            f.user = null;
            f.context = null;
            f.filtered = null;
            f.credential = null;
          });
    }
  }

  @Test
  void aFixedRecordHashesToItsKnownAnswer() {
    assertThat(AuditChain.hash(7, new Fields().entry(), PREV)).isEqualTo(FULL_HASH);
  }

  @Test
  void aRecordWithoutTheLaterFieldsHashesToItsKnownAnswer() {
    assertThat(AuditChain.hash(7, Fields.minimal(), PREV)).isEqualTo(MINIMAL_HASH);
  }

  @Test
  void linkChainsTheRecordToTheHashBeforeIt() {
    AuditRecord r = AuditChain.link(7, new Fields().entry(), PREV);

    assertThat(r.seq()).isEqualTo(7);
    assertThat(r.prevHash()).isEqualTo(PREV);
    assertThat(r.hash()).isEqualTo(FULL_HASH);
    assertThat(r.entry()).isEqualTo(new Fields().entry());
  }

  @Test
  void theGenesisHashIsSixtyFourZeros() {
    assertThat(AuditChain.GENESIS)
        .isEqualTo("0000000000000000000000000000000000000000000000000000000000000000");
  }

  @Test
  void sha256IsHexOfTheUtf8Bytes() {
    // FIPS 180-2's first test vector.
    assertThat(AuditChain.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void theTimestampIsHashedAtMillisecondPrecision() {
    AuditEntry finer =
        Fields.with(f -> f.recordedAt = Instant.parse("2026-11-23T10:00:00.123456789Z"));

    assertThat(AuditChain.timestamp(finer)).isEqualTo("2026-11-23T10:00:00.123Z");
    assertThat(AuditChain.hash(7, finer, PREV)).isEqualTo(FULL_HASH);
  }

  @Test
  void thePlaceInTheChainIsHashed() {
    assertThat(AuditChain.hash(8, new Fields().entry(), PREV)).isNotEqualTo(FULL_HASH);
    assertThat(AuditChain.hash(7, new Fields().entry(), AuditChain.GENESIS))
        .isNotEqualTo(FULL_HASH);
  }

  static Stream<Arguments> everyField() {
    List<Arguments> changes = new ArrayList<>();
    add(changes, "recordedAt", f -> f.recordedAt = f.recordedAt.plusMillis(1));
    add(changes, "invocationId", f -> f.invocationId = "inv-2");
    add(changes, "traceId", f -> f.traceId = "1af7651916cd43dd8448eb211c80319c");
    add(changes, "requestId", f -> f.requestId = "req-2");
    add(changes, "tenant", f -> f.tenant = "globex");
    add(changes, "agentId", f -> f.agentId = "agent-b");
    add(changes, "userId", f -> f.userId = "user-8");
    add(changes, "sessionId", f -> f.sessionId = "sess-2");
    add(changes, "channel", f -> f.channel = "mcp");
    add(changes, "toolName", f -> f.toolName = "refund2");
    add(changes, "toolVersion", f -> f.toolVersion = "3");
    add(changes, "descriptorHash", f -> f.descriptorHash = "sha256:other");
    add(changes, "arguments", f -> f.arguments = "{\"amount\":6}");
    add(changes, "argumentsDigest", f -> f.argumentsDigest = "sha256:other");
    add(changes, "state", f -> f.state = "FAILED");
    add(changes, "decision", f -> f.decision = "deny");
    add(changes, "a reason", f -> f.reasons = List.of("permit-refunds", "big"));
    add(changes, "the reasons' order", f -> f.reasons = List.of("small", "permit-refunds"));
    add(changes, "errorKind", f -> f.errorKind = "timeout");
    add(changes, "errorDetail", f -> f.errorDetail = "refused");
    add(changes, "durationMs", f -> f.durationMs = 13L);
    add(changes, "durationMs blanked", f -> f.durationMs = null);
    add(changes, "configHash", f -> f.configHash = "sha256:cfg2");
    add(changes, "policyVersion", f -> f.policyVersion = "sha256:policy2");
    add(changes, "policyVersion blanked", f -> f.policyVersion = null);
    add(changes, "shadows", f -> f.shadows = "[]");
    add(changes, "shadows blanked", f -> f.shadows = null);
    add(changes, "user", f -> f.user = "{\"id\":\"user-7\",\"verified\":false}");
    add(changes, "user blanked", f -> f.user = null);
    add(changes, "context", f -> f.context = "{\"channel\":\"mcp\"}");
    add(changes, "context blanked", f -> f.context = null);
    add(changes, "filtered", f -> f.filtered = "{\"dropped\":[]}");
    add(changes, "filtered blanked", f -> f.filtered = null);
    add(changes, "credential", f -> f.credential = "{\"ref\":\"vault:token\",\"version\":3}");
    add(changes, "credential blanked", f -> f.credential = null);
    return changes.stream();
  }

  private static void add(List<Arguments> changes, String field, Consumer<Fields> change) {
    changes.add(Arguments.of(field, change));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyField")
  void changingAnyFieldChangesTheHash(String field, Consumer<Fields> change) {
    assertThat(AuditChain.hash(7, Fields.with(change), PREV)).as(field).isNotEqualTo(FULL_HASH);
  }

  @Test
  void aLaterFieldSetToEmptyTextIsNotTheSameAsAbsent() {
    AuditEntry absent = Fields.minimal();
    AuditEntry empty = absent.toBuilder().policyVersion("").build();

    assertThat(AuditChain.hash(7, empty, PREV)).isNotEqualTo(MINIMAL_HASH);
  }

  @Test
  void absentReasonsAreHashedAsAnEmptyList() {
    AuditEntry minimal = Fields.minimal();
    AuditEntry nullReasons = minimal.toBuilder().reasons(null).build();

    assertThat(nullReasons.reasons()).isEmpty();
    assertThat(AuditChain.hash(7, nullReasons, PREV)).isEqualTo(MINIMAL_HASH);
  }

  @Test
  void aRecordCopiedThroughItsBuilderIsEqualAndHashesTheSame() {
    AuditEntry full = Fields.with(f -> {});
    AuditEntry minimal = Fields.minimal();

    assertThat(full.toBuilder().build()).isEqualTo(full);
    assertThat(AuditChain.hash(7, full.toBuilder().build(), PREV)).isEqualTo(FULL_HASH);
    assertThat(AuditChain.hash(7, minimal.toBuilder().build(), PREV)).isEqualTo(MINIMAL_HASH);
  }

  @Test
  void aBuilderLeavesEveryFieldItWasNotGivenAbsent() {
    Fields f = new Fields();
    AuditEntry built =
        AuditEntry.builder(f.recordedAt, f.invocationId, f.traceId, f.state, f.configHash)
            .tenant(f.tenant)
            .agentId(f.agentId)
            .sessionId(f.sessionId)
            .channel(f.channel)
            .toolName(f.toolName)
            .toolVersion(f.toolVersion)
            .descriptorHash(f.descriptorHash)
            .arguments(f.arguments)
            .argumentsDigest(f.argumentsDigest)
            .decision(f.decision)
            .build();

    assertThat(built).isEqualTo(Fields.minimal());
    assertThat(AuditChain.hash(7, built, PREV)).isEqualTo(MINIMAL_HASH);
  }
}
