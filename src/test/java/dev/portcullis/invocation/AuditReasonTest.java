package dev.portcullis.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wire form of audit reasons is hashed into the audit chain, so it is written out here by hand:
 * each value must write exactly the text records have always held, and read back as itself.
 */
class AuditReasonTest {

  static Stream<Arguments> values() {
    return Stream.of(
        Arguments.of(new AuditReason.Approval("apr-1"), "approval:apr-1"),
        Arguments.of(new AuditReason.VotedBy("ops-olivia"), "voted-by:ops-olivia"),
        Arguments.of(new AuditReason.ApprovedBy("ops-olivia"), "approved-by:ops-olivia"),
        Arguments.of(new AuditReason.Votes(1, 2), "votes:1/2"),
        Arguments.of(new AuditReason.EditedBy("ops-olivia"), "edited-by:ops-olivia"),
        Arguments.of(new AuditReason.EditedFrom("ab12"), "edited-from:ab12"),
        Arguments.of(new AuditReason.EditedTo("cd34"), "edited-to:cd34"),
        Arguments.of(new AuditReason.DeniedBy("ops-olivia"), "denied-by:ops-olivia"),
        Arguments.of(new AuditReason.CancelledBy("agent:crm-bot"), "cancelled-by:agent:crm-bot"),
        Arguments.of(new AuditReason.StoredDigest("ef56"), "stored-digest:ef56"),
        Arguments.of(new AuditReason.Replay("inv-1"), "idempotent-replay:inv-1"),
        Arguments.of(new AuditReason.SettledBy("ops-olivia"), "settled-by:ops-olivia"),
        Arguments.of(new AuditReason.RevertBy("ops-olivia"), "revert-by:ops-olivia"),
        Arguments.of(new AuditReason.RevertedWith("inv-2"), "reverted-with:inv-2"),
        Arguments.of(new AuditReason.Notification(true), "notification:sent"),
        Arguments.of(new AuditReason.Notification(false), "notification:failed"),
        Arguments.of(new AuditReason.Channel("ops-hook"), "channel:ops-hook"),
        Arguments.of(new AuditReason.ChannelType("webhook"), "channel-type:webhook"),
        Arguments.of(new AuditReason.Attempts(3), "attempts:3"),
        Arguments.of(new AuditReason.Other("refunds-need-approval"), "refunds-need-approval"));
  }

  @ParameterizedTest
  @MethodSource("values")
  void eachValueWritesTheTextRecordsHaveAlwaysHeld(AuditReason value, String wire) {
    assertThat(value.wire()).isEqualTo(wire);
  }

  @ParameterizedTest
  @MethodSource("values")
  void readingTheTextGivesTheValueBack(AuditReason value, String wire) {
    assertThat(AuditReason.parse(wire)).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "refunds-need-approval",
        "error: no such attribute 'amount'",
        "votes:01/2",
        "notification:maybe",
        "attempts:03",
        "votes:1/",
        "votes:a/b",
        "votes:1",
        "edited-to",
        ":x",
        ""
      })
  void textThatIsNoTypedValueIsKeptAsWritten(String text) {
    AuditReason read = AuditReason.parse(text);

    assertThat(read).isEqualTo(new AuditReason.Other(text));
    assertThat(read.wire()).isEqualTo(text);
  }

  @Test
  void aColonInsideAValueBelongsToTheValue() {
    assertThat(AuditReason.parse("voted-by:tenant:olivia"))
        .isEqualTo(new AuditReason.VotedBy("tenant:olivia"));
    assertThat(new AuditReason.VotedBy("tenant:olivia").wire()).isEqualTo("voted-by:tenant:olivia");
  }

  @Test
  void anEntryBuiltFromValuesHoldsTheirWireFormsAndReadsThemBack() {
    List<AuditReason> events =
        List.of(
            new AuditReason.Approval("apr-1"),
            new AuditReason.EditedBy("ops-olivia"),
            new AuditReason.EditedFrom("ab12"),
            new AuditReason.EditedTo("cd34"));

    AuditEntry entry =
        AuditEntry.builder(
                java.time.Instant.EPOCH, "inv-1", "trace-1", "AWAITING_APPROVAL", "sha256:cfg")
            .events(events)
            .build();

    assertThat(entry.reasons())
        .containsExactly(
            "approval:apr-1", "edited-by:ops-olivia", "edited-from:ab12", "edited-to:cd34");
    assertThat(entry.events()).isEqualTo(events);
  }
}
