package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PageAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Needs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The approver inbox in a real browser (Debian's Chromium driven by Playwright; {@link
 * Needs#chromium}) against a real gateway in front of Acme: calls are parked over REST, decided on
 * the page, and checked over the API.
 */
class InboxBrowserTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";

  private static Playwright playwright;
  private static Browser browser;

  @TempDir Path data;
  private GatewayFixture gateway;
  private BrowserContext context;
  private Page page;
  private final List<String> dialogs = new CopyOnWriteArrayList<>();
  private final List<String> consoleErrors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void launch() {
    Path chromium = Needs.chromium("the approver inbox in a real browser");
    playwright = Playwright.create();
    // The flags keep Chromium off the network it would otherwise call at start (updates, sync).
    browser =
        playwright
            .chromium()
            .launch(
                new BrowserType.LaunchOptions()
                    .setExecutablePath(chromium)
                    .setHeadless(true)
                    .setArgs(
                        List.of(
                            "--no-sandbox",
                            "--disable-gpu",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--disable-quic")));
  }

  @AfterAll
  static void quit() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
  }

  @BeforeEach
  void open() {
    gateway = GatewayFixture.start(data);
    context = browser.newContext();
    page = context.newPage();
    page.onDialog(
        d -> {
          dialogs.add(d.message());
          d.dismiss();
        });
    page.onConsoleMessage(
        m -> {
          if (m.type().equals("error")) {
            consoleErrors.add(m.text() + " at " + m.location());
          }
        });
  }

  @AfterEach
  void close() {
    if (context != null) {
      context.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void anApproverApprovesAParkedCallAndItRunsOnce() {
    JsonNode parked = park(REFUND);
    page.navigate(url("/inbox"));
    signIn(GatewayFixture.APPROVER_KEY);

    Locator row = page.locator("#requests tbody tr");
    expect(row).hasCount(1);
    expect(row).containsText("orders_refund");
    expect(row).containsText("billing-assistant");
    expect(row).containsText("min left");
    row.getByRole(com.microsoft.playwright.options.AriaRole.LINK).click();
    expect(page).hasURL(url("/inbox/approvals/" + parked.path("approvalId").asString()));
    expect(page.locator("#arguments")).containsText("\"amount\": 120");
    expect(page.locator("#facts")).containsText("refunds-over-100-need-approval");
    page.locator("button.approve").click();

    expect(page.locator("#outcome")).hasText("Approved by ops-olivia; the call is completed.");
    expect(page.locator("#facts")).containsText("ops-olivia");
    expect(page.locator("#facts .badge")).hasText("approved");
    expect(page.locator("#decide")).isHidden();
    assertThat(invocationState(parked)).isEqualTo("completed");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");

    page.navigate(url("/inbox?status=approved"));
    expect(page.locator("#requests tbody tr")).hasCount(1);
    page.navigate(url("/inbox"));
    expect(page.locator("#empty")).isVisible();
    assertThat(consoleErrors).isEmpty();
  }

  @Test
  void numbersAreShownAndSentBackExactlyAsTheyWillRunEvenAbove2To53() throws Exception {
    // the demo forbids refunds over 1000 and caps amount at 10000: a gateway that lets a big one
    // park
    gateway.close();
    Path dir = data.resolve("big-numbers");
    java.nio.file.Files.createDirectories(dir.resolve("policies"));
    java.nio.file.Files.writeString(
        dir.resolve("portcullis.yaml"),
        java.nio.file.Files.readString(GatewayFixture.DEMO_CONFIG)
            .replace(
                "amount: {type: number, exclusiveMinimum: 0, maximum: 10000}",
                "amount: {type: number, exclusiveMinimum: 0}"));
    java.nio.file.Files.writeString(
        dir.resolve("policies/billing.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: billing-orders
            effect: permit
            target: {agents: [billing-assistant], tools: ["orders_*"]}
          - id: refunds-over-100-need-approval
            effect: require_approval
            target: {tools: [orders_refund]}
            when: args.amount > 100
        """);
    gateway =
        GatewayFixture.start(
            dir.resolve("data"), dir.resolve("portcullis.yaml"), java.util.Map.of());
    JsonNode parked =
        park(
            "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":9007199254740993,\"reason\":\"late delivery\"}}");
    page.navigate(url("/inbox/approvals/" + parked.path("approvalId").asString()));
    signIn(GatewayFixture.APPROVER_KEY);

    expect(page.locator("#arguments")).containsText("\"amount\": 9007199254740993");
    expect(page.locator("#edit-arguments"))
        .hasValue(
            java.util.regex.Pattern.compile(
                ".*\"amount\": 9007199254740993,.*", java.util.regex.Pattern.DOTALL));
    // the approver changes only the reason: the amount goes back as it was parked, not as a double
    String text = page.locator("#edit-arguments").inputValue();
    page.locator("#approve-form summary").click();
    page.locator("#edit-arguments").fill(text.replace("late delivery", "late delivery, checked"));
    page.locator("button.approve").click();

    expect(page.locator("#outcome")).containsText("Approved by ops-olivia");
    String approval =
        gateway
            .get(
                "/v1/approvals/" + parked.path("approvalId").asString(),
                GatewayFixture.APPROVER_KEY)
            .body();
    assertThat(approval)
        .contains("\"reason\":\"late delivery, checked\"")
        .contains("9007199254740993")
        .doesNotContain("9007199254740992");
    assertThat(consoleErrors).isEmpty();
  }

  @Test
  void aDenialNeedsAReasonAndEndsTheCallWithIt() {
    JsonNode parked = park(REFUND);
    page.navigate(url("/inbox/approvals/" + parked.path("approvalId").asString()));
    signIn(GatewayFixture.APPROVER_KEY);

    page.locator("button.deny").click();
    expect(page.locator("#outcome")).containsText("A denial needs a reason");
    assertThat(approvalStatus(parked)).isEqualTo("pending");
    page.locator("#deny-reason").fill("the order arrived on time");
    page.locator("button.deny").click();

    expect(page.locator("#outcome")).hasText("Denied by ops-olivia; the call is denied.");
    expect(page.locator("#facts")).containsText("the order arrived on time");
    expect(page.locator("#facts .badge")).hasText("denied");
    assertThat(invocationState(parked)).isEqualTo("denied");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(consoleErrors).isEmpty();
  }

  @Test
  void anApproverEditsTheArgumentsAndExactlyTheEditedCallRunsWithBothVersionsKept() {
    JsonNode parked = park(REFUND);
    page.navigate(url("/inbox/approvals/" + parked.path("approvalId").asString()));
    signIn(GatewayFixture.APPROVER_KEY);

    page.locator("#approve-form summary").click();
    page.locator("#edit-arguments")
        .fill("{\"orderId\": \"O-5001\", \"amount\": 90, \"reason\": \"late delivery\"}");
    page.locator("#approve-reason").fill("partial refund agreed with the customer");
    page.locator("button.approve").click();

    expect(page.locator("#outcome")).containsText("completed");
    expect(page.locator("#arguments")).containsText("\"amount\": 90");
    expect(page.locator("#original")).isVisible();
    expect(page.locator("#original-arguments")).containsText("\"amount\": 120");
    assertThat(invocationState(parked)).isEqualTo("completed");
    assertThat(
            get(
                    "/v1/invocations/" + parked.path("invocationId").asString(),
                    GatewayFixture.BILLING_KEY)
                .path("edited")
                .path("by")
                .asString())
        .isEqualTo("ops-olivia");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
    assertThat(consoleErrors).isEmpty();
  }

  @Test
  void editedArgumentsThatAreNotAJsonObjectAreRefusedOnThePageAndNothingIsSent() {
    JsonNode parked = park(REFUND);
    page.navigate(url("/inbox/approvals/" + parked.path("approvalId").asString()));
    signIn(GatewayFixture.APPROVER_KEY);
    expect(page.locator("#edit-arguments"))
        .hasValue(
            java.util.regex.Pattern.compile(".*\"amount\": 120.*", java.util.regex.Pattern.DOTALL));

    page.locator("#approve-form summary").click();
    page.locator("#edit-arguments").fill("{\"amount\": 90,");
    page.locator("button.approve").click();
    expect(page.locator("#outcome")).containsText("The edited arguments are not valid JSON");
    page.locator("#edit-arguments").fill("[90]");
    page.locator("button.approve").click();

    expect(page.locator("#outcome")).hasText("The edited arguments must be a JSON object.");
    assertThat(approvalStatus(parked)).isEqualTo("pending");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void markupInArgumentsFromAnAgentIsShownAsTextAndNeverRuns() {
    String payload = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    JsonNode parked =
        park(
            "{\"actor\":{\"userId\":\"<b id=injected-user>u</b>\"},"
                + "\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\""
                + payload.replace("\"", "\\\"")
                + "\"}}");
    page.navigate(url("/inbox"));
    signIn(GatewayFixture.APPROVER_KEY);

    expect(page.locator("#requests tbody tr")).containsText("<b id=injected-user>u</b>");
    page.locator("#requests tbody a").click();
    expect(page.locator("#arguments")).containsText(payload);
    expect(page.locator("#facts")).containsText("<b id=injected-user>u</b>");
    expect(page.locator("#edit-arguments"))
        .hasValue(
            java.util.regex.Pattern.compile(
                ".*<script>alert\\(2\\)</script>.*", java.util.regex.Pattern.DOTALL));

    assertThat(page.locator("img").count()).isZero();
    assertThat(page.locator("#injected-user").count()).isZero();
    assertThat(page.locator("script").count()).isEqualTo(1);
    assertThat(dialogs).isEmpty();
    assertThat(consoleErrors).isEmpty();
    assertThat(approvalStatus(parked)).isEqualTo("pending");
  }

  @Test
  void aWrongKeyIsRefusedWithTheGatewaysReasonAndNotKept() {
    page.navigate(url("/inbox"));

    signIn("pcl_not_anyones_key");
    expect(page.locator("#sign-in-error")).containsText("the key is not an approver's");
    expect(page.locator("#list")).isHidden();
    signIn(GatewayFixture.BILLING_KEY);
    expect(page.locator("#sign-in-error")).containsText("agents can never decide approvals");

    assertThat(page.evaluate("sessionStorage.length")).isEqualTo(0);
    assertThat(page.evaluate("localStorage.length")).isEqualTo(0);
    assertThat(context.cookies()).isEmpty();
  }

  @Test
  void aDeepLinkOpensItsRequestAfterSignInAndSignOutForgetsTheKey() {
    park(REFUND);
    JsonNode second =
        park("{\"arguments\":{\"orderId\":\"O-5002\",\"amount\":250,\"reason\":\"damaged\"}}");
    String link = url("/inbox/approvals/" + second.path("approvalId").asString());
    page.navigate(link);
    expect(page.locator("#sign-in")).isVisible();

    signIn(GatewayFixture.SECOND_APPROVER_KEY);

    expect(page).hasURL(link);
    expect(page.locator("#arguments")).containsText("\"orderId\": \"O-5002\"");
    expect(page.locator("#facts")).containsText(second.path("invocationId").asString());
    assertThat(page.url()).doesNotContain("pcl_");
    assertThat(page.evaluate("sessionStorage.getItem('portcullis.approverKey')"))
        .isEqualTo(GatewayFixture.SECOND_APPROVER_KEY);

    page.locator("#sign-out").click();

    expect(page.locator("#sign-in")).isVisible();
    expect(page).hasURL(url("/inbox"));
    assertThat(page.evaluate("sessionStorage.length")).isEqualTo(0);
    assertThat(page.evaluate("localStorage.length")).isEqualTo(0);
    assertThat(context.cookies()).isEmpty();
    assertThat(consoleErrors).isEmpty();
  }

  private void signIn(String key) {
    expect(page.locator("#sign-in")).isVisible();
    page.locator("#key").fill(key);
    page.locator("#sign-in-form button").click();
  }

  private JsonNode park(String body) {
    var r = gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body());
  }

  private String invocationState(JsonNode parked) {
    return get(
            "/v1/invocations/" + parked.path("invocationId").asString(), GatewayFixture.BILLING_KEY)
        .path("state")
        .asString();
  }

  private String approvalStatus(JsonNode parked) {
    return get("/v1/approvals/" + parked.path("approvalId").asString(), GatewayFixture.APPROVER_KEY)
        .path("status")
        .asString();
  }

  private JsonNode get(String path, String key) {
    var r =
        gateway.send(
            HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .GET()
                .build());
    return JSON.readTree(r.body());
  }

  private String url(String path) {
    return gateway.baseUri() + path;
  }

  private static LocatorAssertions expect(Locator locator) {
    return PlaywrightAssertions.assertThat(locator);
  }

  private static PageAssertions expect(Page page) {
    return PlaywrightAssertions.assertThat(page);
  }
}
