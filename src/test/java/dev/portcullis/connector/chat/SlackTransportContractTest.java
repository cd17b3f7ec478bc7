package dev.portcullis.connector.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.connector.TransportFailure;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.testing.LogCapture;
import dev.portcullis.testing.SecretForms;
import dev.portcullis.testing.SilentServer;
import dev.portcullis.testing.SlackShapedServer;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract of {@link SlackTransport}, which both the chat connector and the approval notices
 * send through, against a real local HTTP server shaped like Slack's Web API: what is posted, how
 * each way of failing is typed (kind, retryable), and that the bot token appears in no failure's
 * message, nor in the log, even when Slack echoes it.
 */
class SlackTransportContractTest {
  /** Lower-case letters and digits only: it would pass as a Slack error code if not masked. */
  private static final String TOKEN = "xoxbcontract0123456789secret";

  private static final Secret SECRET = new Secret(SecretRef.parse("env:SLACK_TOKEN"), TOKEN);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SlackTransport.Message HELLO =
      new SlackTransport.Message("#support", "hello", null, true);

  private SlackShapedServer slack;
  private SlackTransport transport;

  @BeforeEach
  void start() {
    slack = SlackShapedServer.start(TOKEN);
    transport = transport(slack.baseUri(), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    transport.close();
    slack.close();
  }

  private static SlackTransport transport(URI base, Duration timeout) {
    return new SlackTransport(base, timeout, "slack t", "the credential of t", JSON);
  }

  private TransportFailure failure(SlackTransport t, Secret token) {
    return catchThrowableOfType(TransportFailure.class, () -> t.post(HELLO, token));
  }

  @Test
  void postsTheMessageWithTheTokenAndAnswersWhereSlackPutIt() throws Exception {
    SlackTransport.Posted posted =
        transport.post(
            new SlackTransport.Message("#support", "in a thread", "1700000000.000001", false),
            SECRET);

    assertThat(posted.channel()).isEqualTo("C0SUPPORT1");
    assertThat(posted.echoMasked()).isFalse();
    assertThat(slack.posted())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.ts()).isEqualTo(posted.ts());
              assertThat(p.text()).isEqualTo("in a thread");
              assertThat(p.threadTs()).isEqualTo("1700000000.000001");
            });
    SlackShapedServer.Request request = slack.requests().getFirst();
    assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(JSON.readTree(request.body()).path("unfurl_links").asBoolean(true)).isFalse();
  }

  @Test
  void aMessageWithLinkPreviewsLeavesThemToSlacksDefault() throws Exception {
    transport.post(HELLO, SECRET);

    assertThat(JSON.readTree(slack.requests().getFirst().body()).has("unfurl_links")).isFalse();
  }

  @Test
  void aSlackThatDoesNotAnswerInTimeIsARetryableTimeout() throws Exception {
    try (SilentServer silent = SilentServer.start()) {
      SlackTransport slow =
          transport(
              URI.create("http://127.0.0.1:" + silent.port() + "/api"), Duration.ofMillis(300));

      TransportFailure f = failure(slow, SECRET);

      assertThat(describe(f))
          .isEqualTo("UPSTREAM_TIMEOUT true slack t did not answer within 300 ms");
      assertThat(f.answered()).isFalse();
      slow.close();
    }
  }

  @Test
  void aSlackNobodyListensForIsRetryableAndUnreachable() throws Exception {
    int port = SilentServer.unusedPort();
    SlackTransport nowhere =
        transport(URI.create("http://127.0.0.1:" + port + "/api"), Duration.ofSeconds(5));

    TransportFailure f = failure(nowhere, SECRET);

    assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_UNREACHABLE);
    assertThat(f.getMessage()).startsWith("slack t is unreachable (");
    assertThat(f.retryable()).isTrue();
    nowhere.close();
  }

  /** One scripted answer of Slack's and the failure it must give: kind, retryable, message. */
  private record Answer(int status, String body, String failure) {}

  private static String describe(TransportFailure f) {
    return f.kind() + " " + f.retryable() + " " + f.getMessage();
  }

  @Test
  void slacksOutagesAndRateLimitsMayPassAndTheRestDoNot() {
    List<Answer> answers =
        List.of(
            new Answer(
                200,
                "{\"ok\":false,\"error\":\"fatal_error\"}",
                "UPSTREAM_REJECTED true slack t refused the message: fatal_error"),
            new Answer(
                429,
                "{\"ok\":false,\"error\":\"ratelimited\"}",
                "UPSTREAM_REJECTED true slack t refused the message: ratelimited (HTTP 429)"),
            new Answer(500, "", "UPSTREAM_ERROR true slack t answered HTTP 500"),
            new Answer(
                200,
                "{\"ok\":false,\"error\":\"channel_not_found\"}",
                "UPSTREAM_REJECTED false slack t refused the message: channel_not_found"),
            new Answer(404, "", "UPSTREAM_REJECTED false slack t answered HTTP 404"),
            new Answer(200, "not json", "UPSTREAM_ERROR false slack t answered unreadable JSON"));
    answers.forEach(a -> slack.answerNext(a.status(), a.body()));

    List<TransportFailure> failures =
        answers.stream().map(a -> failure(transport, SECRET)).toList();

    assertThat(failures)
        .extracting(SlackTransportContractTest::describe)
        .containsExactlyElementsOf(answers.stream().map(Answer::failure).toList());
    assertThat(failures.get(1).status()).isEqualTo(429);
    assertThat(failures).allSatisfy(f -> assertThat(f.answered()).isTrue());
  }

  @Test
  void aRefusedTokenIsACredentialFailureThatIsNotRetried() {
    TransportFailure f =
        failure(transport, new Secret(SecretRef.parse("env:SLACK_TOKEN"), "xoxb-another-token"));

    assertThat(describe(f))
        .isEqualTo(
            "CREDENTIAL_UNAVAILABLE false the credential of t was refused by slack (invalid_auth)");
    assertThat(slack.posted()).isEmpty();
  }

  @Test
  void theTokenIsInNoFailureNorLogLineEvenWhenSlackEchoesIt() {
    try (LogCapture logs = LogCapture.start()) {
      slack.echoTheAuthorization();
      slack.answerNext(200, "{\"ok\":false,\"error\":\"" + TOKEN + "\"}");
      slack.answerNext(503, "{\"ok\":false,\"error\":\"" + TOKEN + "\"}");

      TransportFailure codeIsTheToken = failure(transport, SECRET);
      TransportFailure withStatus = failure(transport, SECRET);
      slack.failEveryRequest();
      TransportFailure outage = failure(transport, SECRET);

      assertThat(codeIsTheToken.getMessage())
          .isEqualTo("slack t refused the message: unknown_error");
      for (TransportFailure f : List.of(codeIsTheToken, withStatus, outage)) {
        SecretForms.assertNoCopyIn(f.getMessage(), TOKEN);
        assertThat(f.echoMasked()).as(f.getMessage()).isTrue();
      }
      SecretForms.assertNoCopyIn(logs.text(), TOKEN);
      assertThat(logs.text()).contains("slack t echoed the credential env:SLACK_TOKEN");
    }
  }

  @Test
  void aSuccessfulPostThatEchoesTheTokenSaysItWasMasked() throws Exception {
    slack.echoTheAuthorization();

    assertThat(transport.post(HELLO, SECRET).echoMasked()).isTrue();
  }
}
