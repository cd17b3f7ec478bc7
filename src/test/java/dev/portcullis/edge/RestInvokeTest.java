package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestInvokeTest {
  @TempDir static Path data;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() {
    gateway = GatewayFixture.start(data);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void returnsResultOfAllowedRead() {
    HttpResponse<String> r =
        gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, "{\"arguments\":{\"customerId\":\"C-1001\"}}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("Maria Keller").contains("\"rules\":[\"support-read-crm\"]");
  }
}
