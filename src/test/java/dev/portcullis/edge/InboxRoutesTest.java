package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inbox's files and headers over plain HTTP, and the Origin check the page's API calls pass.
 */
class InboxRoutesTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
          + "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  @TempDir Path data;
  private GatewayFixture gateway;

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void everyInboxFileComesWithItsTypeAndAStrictContentSecurityPolicy() {
    gateway = GatewayFixture.start(data);
    Map<String, String> types =
        Map.of(
            "/inbox", "text/html;charset=utf-8",
            "/inbox/approvals/any-id", "text/html;charset=utf-8",
            "/inbox/inbox.js", "text/javascript;charset=utf-8",
            "/inbox/inbox.css", "text/css;charset=utf-8",
            "/inbox/favicon.svg", "image/svg+xml");

    types.forEach(
        (path, type) -> {
          HttpResponse<String> r = gateway.get(path, null);
          assertThat(r.statusCode()).as(path).isEqualTo(200);
          assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue(type);
          assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValue(CSP);
          assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
          assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
        });
  }

  @Test
  void thePageHasNoInlineScriptOrStyleAndNeverWritesHtmlFromData() {
    gateway = GatewayFixture.start(data);

    String page = gateway.get("/inbox", null).body();
    String script = gateway.get("/inbox/inbox.js", null).body();

    assertThat(page)
        .contains("<script src=\"/inbox/inbox.js\" defer></script>")
        .doesNotContainPattern("<script(?![^>]*\\bsrc=)")
        .doesNotContain("<style", " style=", "onclick", "onload", "javascript:");
    assertThat(script)
        .doesNotContain(
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "localStorage",
            "document.cookie");
  }

  @Test
  void theInboxPathsAreGuardedByTheHostCheckButNeedNoKey() {
    gateway = GatewayFixture.start(data);

    HttpResponse<String> r =
        gateway.send(
            HttpRequest.newBuilder(URI.create(gateway.baseUri() + "/inbox"))
                .header("Origin", "https://evil.example")
                .GET()
                .build());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(r.body()).path("type").asString())
        .isEqualTo("urn:portcullis:problem:origin-not-allowed");
    assertThat(gateway.get("/inbox", null).statusCode()).isEqualTo(200);
  }

  @Test
  void theGatewaysOwnOriginMayCallTheApiAndAnyOtherOriginMayNot() {
    gateway = GatewayFixture.start(data);
    String approvalId =
        JSON.readTree(
                gateway
                    .invoke(
                        "orders_refund",
                        GatewayFixture.BILLING_KEY,
                        "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}")
                    .body())
            .path("approvalId")
            .asString();
    String own = "http://127.0.0.1:" + gateway.port();

    HttpResponse<String> otherPort = deny(approvalId, "http://127.0.0.1:" + (gateway.port() + 1));
    HttpResponse<String> otherScheme = deny(approvalId, "ftp://127.0.0.1:" + gateway.port());
    HttpResponse<String> same = deny(approvalId, own);

    assertThat(otherPort.statusCode()).as(otherPort.body()).isEqualTo(403);
    assertThat(otherScheme.statusCode()).as(otherScheme.body()).isEqualTo(403);
    assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
  }

  @Test
  void sameOriginMeansSchemeHttpOrHttpsAndTheHostHeaderExactly() {
    assertThat(Guard.sameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080")).isTrue();
    assertThat(Guard.sameOrigin("HTTPS://Gateway.Example", "gateway.example")).isTrue();
    assertThat(Guard.sameOrigin("https://gateway.example", "gateway.example:8443")).isFalse();
    assertThat(Guard.sameOrigin("https://gateway.example.evil", "gateway.example")).isFalse();
    assertThat(Guard.sameOrigin("null", "gateway.example")).isFalse();
    assertThat(Guard.sameOrigin("http://", "")).isFalse();
    assertThat(Guard.sameOrigin("http://gateway.example", null)).isFalse();
  }

  private HttpResponse<String> deny(String approvalId, String origin) {
    return gateway.post(
        "/v1/approvals/" + approvalId + ":deny",
        GatewayFixture.APPROVER_KEY,
        "{\"reason\":\"not needed\"}",
        "Origin",
        origin);
  }
}
