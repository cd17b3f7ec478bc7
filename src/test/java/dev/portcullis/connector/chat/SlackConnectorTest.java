package dev.portcullis.connector.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.SlackShapedServer;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The Slack connector against a local server shaped like Slack's Web API. */
class SlackConnectorTest {
  private static final String TOKEN = "xoxb-1111-2222-slacktesttokenvalue";

  @TempDir Path data;
  private SlackShapedServer slack;

  @BeforeEach
  void start() {
    slack = SlackShapedServer.start(TOKEN);
  }

  @AfterEach
  void stop() {
    slack.close();
  }

  private SlackConnector connector(String token) {
    return new SlackConnector(
        "chat",
        slack.baseUri(),
        SecretRef.parse("env:SLACK_TOKEN"),
        SlackChannels.of(List.of("#support", "C0RANDOM01")),
        Map.of("notify", new SlackOperation("notify", SlackOperation.Action.POST_MESSAGE)),
        new SecretSources(Map.of("SLACK_TOKEN", token), data),
        Duration.ofSeconds(5),
        JsonMapper.builder().build());
  }

  private ConnectorResult post(String args) {
    return connector(TOKEN).invoke(Invocations.call("bot", "notify", args));
  }

  @Test
  void postsTheMessageAsSlackExpectsAndReturnsOnlyChannelAndTimestamp() {
    ConnectorResult r = post("{\"channel\":\"#support\",\"text\":\"Ticket 42 is solved\"}");

    assertThat(r).isInstanceOf(ConnectorResult.Success.class);
    SlackShapedServer.Request req = slack.requests().getFirst();
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.path()).isEqualTo("/api/chat.postMessage");
    assertThat(req.header("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(req.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(req.body()).isEqualTo("{\"channel\":\"#support\",\"text\":\"Ticket 42 is solved\"}");
    assertThat(slack.posted())
        .containsExactly(
            new SlackShapedServer.Posted(
                "C0SUPPORT1", "Ticket 42 is solved", null, "1700000000.000001"));
    assertThat(((ConnectorResult.Success) r).value().toString())
        .isEqualTo("{\"ok\":true,\"channel\":\"C0SUPPORT1\",\"ts\":\"1700000000.000001\"}");
    assertThat(r.credential().ref()).isEqualTo("env:SLACK_TOKEN");
    assertThat(r.credential().echoMasked()).isFalse();
  }

  @Test
  void repliesInAThreadAndMatchesChannelNamesWithoutRegardToCase() {
    ConnectorResult r =
        post("{\"channel\":\"#SUPPORT\",\"text\":\"on it\",\"thread_ts\":\"1699999999.000200\"}");

    assertThat(r).isInstanceOf(ConnectorResult.Success.class);
    assertThat(slack.posted())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.channel()).isEqualTo("C0SUPPORT1");
              assertThat(p.threadTs()).isEqualTo("1699999999.000200");
            });
  }

  @Test
  void refusesAChannelOutsideTheAllowlistAndSendsNothing() {
    ConnectorResult byName = post("{\"channel\":\"#random\",\"text\":\"customer list attached\"}");
    ConnectorResult byOtherId = post("{\"channel\":\"C0SUPPORT1\",\"text\":\"x\"}");
    ConnectorResult byUser = post("{\"channel\":\"@attacker\",\"text\":\"x\"}");

    for (ConnectorResult r : List.of(byName, byOtherId, byUser)) {
      assertThat(r)
          .isInstanceOfSatisfying(
              ConnectorResult.Failure.class,
              f -> {
                assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED);
                assertThat(f.detail())
                    .contains("is not in its channels allowlist; nothing was sent");
              });
    }
    assertThat(((ConnectorResult.Failure) byName).detail())
        .isEqualTo(
            "connector chat refused the call: channel '#random' is not in its channels allowlist; nothing was sent");
    assertThat(slack.requests()).isEmpty();
  }

  @Test
  void refusesMalformedArgumentsBeforeSending() {
    assertThat(post("{\"channel\":\"#support\",\"text\":\"x\",\"thread_ts\":\"yesterday\"}"))
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.detail()).contains("thread_ts must be a message timestamp"));
    assertThat(post("{\"channel\":[\"#support\"],\"text\":\"x\"}"))
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.detail()).contains("channel and text must be strings"));
    assertThat(
            post(
                "{\"channel\":\"#support\",\"text\":\""
                    + "a".repeat(SlackConnector.MAX_TEXT + 1)
                    + "\"}"))
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.detail()).contains("text must be 1 to 40000 characters"));
    assertThat(slack.requests()).isEmpty();
  }

  @Test
  void mapsSlackErrorCodesToTypedFailures() {
    slack.answerNext(200, "{\"ok\":false,\"error\":\"channel_not_found\"}");
    slack.answerNext(200, "{\"ok\":false,\"error\":\"ratelimited\"}");
    slack.answerNext(429, "");
    slack.answerNext(500, "oops");

    List<ConnectorResult> results =
        List.of(
            post("{\"channel\":\"#support\",\"text\":\"a\"}"),
                post("{\"channel\":\"#support\",\"text\":\"b\"}"),
            post("{\"channel\":\"#support\",\"text\":\"c\"}"),
                post("{\"channel\":\"#support\",\"text\":\"d\"}"));

    assertThat(results)
        .extracting(r -> ((ConnectorResult.Failure) r).kind())
        .containsExactly(
            FailureKind.UPSTREAM_REJECTED,
            FailureKind.UPSTREAM_REJECTED,
            FailureKind.UPSTREAM_REJECTED,
            FailureKind.UPSTREAM_ERROR);
    assertThat(results)
        .extracting(r -> ((ConnectorResult.Failure) r).detail())
        .containsExactly(
            "slack chat refused the message: channel_not_found",
            "slack chat refused the message: ratelimited",
            "slack chat refused the message: ratelimited (HTTP 429); not retried",
            "slack chat answered HTTP 500");
    assertThat(slack.requests()).as("no retries").hasSize(4);
  }

  @Test
  void aRefusedTokenIsACredentialFailureThatNeverShowsTheToken() {
    String wrong = "xoxb-9999-wrong-token-value";
    ConnectorResult r =
        connector(wrong)
            .invoke(Invocations.call("bot", "notify", "{\"channel\":\"#support\",\"text\":\"a\"}"));

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_UNAVAILABLE);
              assertThat(f.detail())
                  .isEqualTo(
                      "the credential for connector chat was refused by slack (invalid_auth)");
            });
    assertThat(slack.posted()).isEmpty();
  }

  @Test
  void masksAnEchoOfTheTokenAndNeverPassesSlacksMessageEchoOn() {
    slack.answerNext(
        200,
        "{\"ok\":true,\"channel\":\"C0SUPPORT1\",\"ts\":\"1.2\",\"message\":{\"text\":\""
            + TOKEN
            + "\"}}");
    slack.answerNext(200, "{\"ok\":false,\"error\":\"" + TOKEN + "\"}");

    ConnectorResult ok = post("{\"channel\":\"#support\",\"text\":\"a\"}");
    ConnectorResult failed = post("{\"channel\":\"#support\",\"text\":\"b\"}");

    assertThat(ok)
        .isInstanceOfSatisfying(
            ConnectorResult.Success.class,
            s -> {
              assertThat(s.value().toString())
                  .doesNotContain(TOKEN)
                  .isEqualTo("{\"ok\":true,\"channel\":\"C0SUPPORT1\",\"ts\":\"1.2\"}");
              assertThat(s.credential().echoMasked()).isTrue();
            });
    assertThat(failed)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.detail())
                  .doesNotContain(TOKEN)
                  .isEqualTo("slack chat refused the message: unknown_error");
              assertThat(f.credential().echoMasked()).isTrue();
            });
  }

  @Test
  void aMissingTokenFailsTypedWithoutCallingSlack() {
    ConnectorResult r =
        new SlackConnector(
                "chat",
                slack.baseUri(),
                SecretRef.parse("env:UNSET_TOKEN"),
                SlackChannels.of(List.of("#support")),
                Map.of("notify", new SlackOperation("notify", SlackOperation.Action.POST_MESSAGE)),
                new SecretSources(Map.of(), data),
                Duration.ofSeconds(5),
                JsonMapper.builder().build())
            .invoke(Invocations.call("bot", "notify", "{\"channel\":\"#support\",\"text\":\"a\"}"));

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_UNAVAILABLE));
    assertThat(slack.requests()).isEmpty();
  }

  @Test
  void theAllowlistRefusesEntriesThatAreNeitherIdsNorNames() {
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SlackChannels.of(List.of("support"))))
        .hasMessage(
            "'support' is neither a Slack channel id (C0123ABCD) nor a lower-case channel name (#support)");
  }
}
